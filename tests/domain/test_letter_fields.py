"""How a letter greets the parent (domain/letter_fields.py), worked by hand."""

from __future__ import annotations

from attendance_desk.domain.letter_fields import Recipient, salutation_for, surname_of


def greet(name: str, title: str = "Mrs", *pupil_surnames: str) -> str:
    return salutation_for(Recipient(contact_id=1, name=name, title=title), pupil_surnames)


def test_a_surname_of_more_than_one_word_is_kept_whole() -> None:
    assert greet("Catrin ap Rhys") == "Mrs ap Rhys"  # Welsh: never "Mrs Rhys"
    assert greet("Maria de la Cruz") == "Mrs de la Cruz"
    assert greet("Pieter van der Berg", "Mr") == "Mr van der Berg"
    assert greet("Mohammed bin Rashid", "Mr") == "Mr bin Rashid"
    assert greet("Jenna Cole") == "Mrs Cole"
    assert greet("Joanne Smith-Hale") == "Mrs Smith-Hale"


def test_the_first_word_is_a_forename_even_when_it_looks_like_a_particle() -> None:
    assert greet("Al Smith", "Mr") == "Mr Smith"
    assert greet("Ann Le", "Ms") == "Ms Le"  # Le as the surname itself
    assert surname_of("De Souza") == "Souza"  # a first word is never taken for a particle


def test_the_pupils_surname_settles_a_name_the_particles_do_not_know() -> None:
    # "St John" is a surname of two words the list does not hold; the child's shows it
    assert greet("Harriet St John", "Mrs", "St John") == "Mrs St John"
    assert greet("Harriet St John", "Mrs") == "Mrs John"  # without it, the last word
    # a parent whose surname differs from the child's is greeted by their own
    assert greet("Leanne Lowe", "Mrs", "Yates") == "Mrs Lowe"


def test_a_name_that_already_carries_the_title_or_has_none() -> None:
    assert greet("Mrs Catrin ap Rhys") == "Mrs ap Rhys"
    assert greet("Sam Taylor", "") == "Sam Taylor"
    assert greet("", "Mrs") == "Parent/Carer"
