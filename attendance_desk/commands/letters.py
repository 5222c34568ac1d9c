"""`attendance-desk [--db PATH] templates` and `attendance-desk [--db PATH] letters TEMPLATE ...`.

    attendance-desk --db school.sqlite3 templates
    attendance-desk --db school.sqlite3 letters half_termly --class 3B --out 3B.pdf
    attendance-desk --db school.sqlite3 letters half_termly --all --out school.pdf
    attendance-desk letters fam_invitation --upn A123456789012 --meeting-date 2025-03-04 \\
        --meeting-time 9:15am --meeting-place "the school office" --out fam.pdf
"""

from __future__ import annotations

import argparse
from pathlib import Path

from attendance_desk import clock
from attendance_desk.commands import open_from_args
from attendance_desk.commands.common import parse_date
from attendance_desk.domain.letters import EXTRA_FIELDS
from attendance_desk.domain.wording import count
from attendance_desk.user import current_user


def register(subparsers: argparse._SubParsersAction) -> None:
    templates = subparsers.add_parser("templates", help="list the letter templates")
    templates.add_argument("--long", action="store_true", help="show titles and descriptions")
    templates.set_defaults(handler=run_templates)

    letters = subparsers.add_parser(
        "letters", help="print letters for chosen pupils into one PDF (kept in the register)"
    )
    letters.add_argument("template", metavar="TEMPLATE", help="a template id (see `templates`)")
    who = letters.add_mutually_exclusive_group(required=True)
    who.add_argument("--upn", nargs="+", metavar="UPN", help="one or more pupils by UPN")
    who.add_argument("--band", metavar="BAND", help="every pupil in a band, e.g. amber")
    who.add_argument("--concern", metavar="RULE", help="every pupil with a concern rule")
    who.add_argument("--class", dest="class_name", metavar="CLASS", help="a whole class")
    who.add_argument(
        "--all",
        dest="whole_school",
        action="store_true",
        help="every pupil on roll (by class then surname, a cover sheet per class)",
    )
    letters.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    letters.add_argument("--as-of", type=parse_date, default=None, metavar="YYYY-MM-DD")
    letters.add_argument(
        "--date", type=parse_date, default=None, metavar="YYYY-MM-DD", help="date on the letters"
    )
    letters.add_argument("--post", action="store_true", help="address to parents' homes")
    letters.add_argument("--family", action="store_true", help="one letter per family")
    letters.add_argument("--no-covers", action="store_true", help="no class cover sheets")
    letters.add_argument(
        "--skip-problems", action="store_true", help="print the rest when a letter cannot be"
    )
    again = letters.add_mutually_exclusive_group()
    again.add_argument(
        "--again",
        action="store_true",
        help="record the letters even if the same batch is already in the register",
    )
    again.add_argument(
        "--reprint",
        action="store_true",
        help="the same batch is already recorded: write its PDF again without recording it",
    )
    for name in EXTRA_FIELDS:
        letters.add_argument(f"--{name.replace('_', '-')}", dest=name, default=None)
    letters.add_argument(
        "--decision",
        default=None,
        help="the decision the letter answers, for a template with [decision: ...] sections "
        "(leave_reply: authorised or refused)",
    )
    letters.set_defaults(handler=run_letters)

    void = subparsers.add_parser(
        "void-letter", help="mark a letter in the register void (kept, left out of bundles)"
    )
    void.add_argument("letter_id", type=int, metavar="LETTER_ID")
    void.add_argument("--reason", required=True, help="why the letter is void")
    void.set_defaults(handler=run_void)


def run_templates(args: argparse.Namespace) -> int:
    from attendance_desk.services.letters import list_templates

    db = open_from_args(args, read_only=True)  # reads only: works beside the window
    try:
        for template in list_templates(db):
            if args.long:
                print(f"{template.id}\t{template.title}\t{template.description}")
            else:
                print(template.id)
    finally:
        db.close()
    return 0


def run_letters(args: argparse.Namespace) -> int:
    from attendance_desk.errors import UserError
    from attendance_desk.services.letter_register import matching_batch, print_letters, save_pdf
    from attendance_desk.services.letter_sources import Selection
    from attendance_desk.services.letters import ComposeOptions, compose, render

    if args.out.suffix.lower() != ".pdf":
        raise UserError(f"--out must name a .pdf file (got {args.out})")
    selection = Selection(
        upns=tuple(args.upn or ()),
        band=args.band,
        concern=args.concern,
        class_name=args.class_name,
        whole_school=args.whole_school,
    )
    extra = {name: getattr(args, name) for name in EXTRA_FIELDS if getattr(args, name)}
    options = ComposeOptions(
        post=args.post,
        family_letters=args.family,
        cover_sheets=not args.no_covers,
        skip_problems=args.skip_problems,
        letter_date=args.date,
        extra=extra,
        decision=args.decision,
    )
    db = open_from_args(args)
    try:
        composition = compose(db, args.template, selection, args.as_of or clock.today(), options)
        pdf = render(composition)
        match = matching_batch(db, composition, pdf)
        if match is not None and not args.again:
            if args.reprint and match.identical:
                save_pdf(pdf, args.out)
                print(f"reprinted {match.describe()}; nothing new recorded; written to {args.out}")
                return 0
            raise UserError(
                f"these letters are already in the register: {match.describe()}. Add --again "
                "to record them as new letters"
                + (
                    ", or --reprint to write the same PDF without recording it"
                    if match.identical
                    else ""
                )
            )
        printed = print_letters(db, composition, current_user(), pdf, out=args.out)
    finally:
        db.close()
    for problem in composition.problems:
        print(f"not printed: {problem}")
    if composition.left_out:
        print(composition.left_out_note)
    counts = ", ".join(f"{n} {title}" for title, n in composition.variant_counts())
    print(
        f"{count(printed.letters, 'letter')}, {count(printed.pages, 'page')} written to {args.out} "
        f"(batch {printed.batch_id}, sha256 {printed.sha256[:12]}); "
        f"{composition.postal_count} to post; {counts}"
    )
    return 0


def run_void(args: argparse.Namespace) -> int:
    from attendance_desk.services.letter_register import void_letter

    db = open_from_args(args)
    try:
        info = void_letter(db, args.letter_id, current_user(), args.reason)
    finally:
        db.close()
    print(f"letter {info.id} ({info.template_title} to {info.recipient}) is now void")
    return 0
