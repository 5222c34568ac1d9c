"""Invented names, streets and the reserved phone ranges the demo school draws on.

Every person is fictional. Names come in heritage groups so a family's names fit together;
several carry non-ASCII letters and apostrophes on purpose (Zoë, Łucja, Nguyễn, O'Brien).
Phone numbers are in Ofcom's ranges reserved for drama; e-mail domains are reserved examples.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NamePool:
    """One heritage group: its share of families, how often a family speaks another language."""

    weight: float
    eal: float
    surnames: tuple[str, ...]
    girls: tuple[str, ...]
    boys: tuple[str, ...]
    women: tuple[str, ...]
    men: tuple[str, ...]


def _t(text: str) -> tuple[str, ...]:
    return tuple(text.split("|"))


POOLS: dict[str, NamePool] = {
    "british": NamePool(
        0.53,
        0.02,
        _t(
            "Ashworth|Bennett|Brooks|Carter|Clarke|Dawson|Fletcher|Gallagher|Hargreaves|Holloway"
            "|Hughes|Jennings|Kirkby|Lambert|Marsh|Norris|Parry|Pickering|Radcliffe|Rowe"
            "|Sutcliffe|Thornton|Townsend|Wainwright|Whitaker|Woodward|Yates|Blackwood|Cole"
            "|Pemberton|Smith-Hale|Ellison|Ford|Greenwood|Hollis|Inglis|Kemp|Lowe|Mercer"
        ),
        _t(
            "Olivia|Amelia|Isla|Ava|Freya|Poppy|Zoë|Ivy|Florence|Evie|Willow|Rosie|Daisy|Elsie"
            "|Matilda|Phoebe|Harriet|Imogen|Lottie|Maisie|Ruby|Edie|Hallie|Esmé|Beatrice"
        ),
        _t(
            "Oliver|George|Arthur|Noah|Leo|Harry|Oscar|Archie|Henry|Theo|Freddie|Alfie|Jack"
            "|Charlie|Teddy|Reggie|Albie|Ronnie|Stanley|Hugo|Louie|Jude|Otis|Rory|Alexander"
        ),
        _t(
            "Sarah|Emma|Laura|Rebecca|Claire|Gemma|Kirsty|Hayley|Joanne|Natalie|Victoria"
            "|Charlotte|Leanne|Stacey|Amy|Jenna|Kerry|Louise|Michelle|Rachel"
        ),
        _t(
            "James|Daniel|Matthew|Christopher|Mark|Craig|Lee|Paul|Thomas|Ben|Adam|Richard"
            "|Stuart|Gareth|Wayne|Jamie|Ryan|Scott|Neil|Simon"
        ),
    ),
    "irish_welsh": NamePool(
        0.09,
        0.03,
        _t(
            "O'Brien|O'Sullivan|O'Connor|MacCarthy|Ó Súilleabháin|Gallagher|Llewellyn|Pryce"
            "|ap Rhys|Doherty|Mac Giolla|McAuley|Vaughan|Griffiths"
        ),
        _t("Siân|Ffion|Aoife|Niamh|Caoimhe|Saoirse|Cerys|Eirlys|Nia|Róisín|Megan|Seren"),
        _t("Oisín|Seán|Rhys|Dafydd|Cian|Tadhg|Ieuan|Macsen|Darragh|Fionn|Osian|Ciarán"),
        _t("Siobhán|Bríd|Gwen|Carys|Nerys|Máire|Eimear|Rhiannon|Deirdre|Catrin"),
        _t("Dylan|Owain|Pádraig|Emyr|Cathal|Rhodri|Eoin|Gethin|Declan|Iwan"),
    ),
    "south_asian": NamePool(
        0.12,
        0.45,
        _t(
            "Patel|Hussain|Ahmed|Khan|Choudhury|Sharma|Begum|Iqbal|Rahman|Mistry|Kaur|Singh"
            "|Chaudhry|Ali|Desai|Mahmood|Bhatt|Sandhu"
        ),
        _t("Zara|Inaya|Amira|Maryam|Aisha|Priya|Anaya|Hafsa|Safa|Diya|Simran|Noor|Mehreen"),
        _t("Aarav|Ayaan|Hamza|Yusuf|Ishaan|Zayn|Ibrahim|Arjun|Rayan|Veer|Musa|Kabir|Idris"),
        _t("Nazia|Shabana|Farzana|Sunita|Anjali|Rukhsana|Sadia|Harpreet|Meena|Nasreen"),
        _t("Imran|Tariq|Sanjay|Rajesh|Asif|Kamran|Vikram|Jaspal|Faisal|Naveed"),
    ),
    "polish": NamePool(
        0.07,
        0.8,
        _t("Nowak|Kowalczyk|Wójcik|Mazur|Krawczyk|Zając|Wróbel|Dudek|Pawlak|Sikora|Kaczmarek"),
        _t("Łucja|Zofia|Maja|Wiktoria|Hanna|Zuzanna|Oliwia|Małgorzata|Natalia|Julia"),
        _t("Jakub|Szymon|Mikołaj|Bartłomiej|Antoni|Filip|Kacper|Wojciech|Stanisław|Franciszek"),
        _t("Agnieszka|Katarzyna|Magdalena|Joanna|Ewelina|Beata|Dorota|Marzena"),
        _t("Paweł|Tomasz|Krzysztof|Marcin|Łukasz|Piotr|Grzegorz|Michał"),
    ),
    "west_african": NamePool(
        0.07,
        0.3,
        _t("Okafor|Adeyemi|Mensah|Boateng|Okonkwo|Asante|Oyelaran|Eze|Nwosu|Owusu|Adebayo"),
        _t("Adaeze|Ama|Folake|Ifeoma|Zainab|Chiamaka|Esi|Temi|Oluwaseun|Nneka|Abena"),
        _t("Chidi|Kwame|Tobi|Kofi|Emeka|Tunde|Kwesi|Femi|Obinna|Yaw|Ayodele"),
        _t("Ngozi|Adwoa|Funmilayo|Chioma|Akosua|Yetunde|Efua|Bisi"),
        _t("Chukwuemeka|Kwabena|Olumide|Nnamdi|Kojo|Babatunde|Ikenna|Kwaku"),
    ),
    "european": NamePool(
        0.07,
        0.6,
        _t(
            "Da Silva|Fernández|Rossi|Müller|Dubois|Ferreira|López|Costa|Moreau|Schäfer"
            "|D'Angelo|García|Novák|Popescu|Horváth"
        ),
        _t("Chloé|Inês|Léa|Renée|Maëlle|Sofía|Giulia|Anaïs|Lucía|Beatriz|Ioana|Zsófia"),
        _t("Mateo|João|Noé|Luca|Théo|Matías|Jürgen|Zoltán|Antonín|Andrei|Tomás|Raphaël"),
        _t("Ana|Marta|Élodie|Francesca|Irina|Sabine|Mónica|Kateřina|Andreea"),
        _t("Miguel|Pierre|Marco|Stefan|Rui|Javier|Ondřej|Bogdan|Giorgio"),
    ),
    "vietnamese": NamePool(
        0.03,
        0.85,
        _t("Nguyễn|Trần|Lê|Phạm|Hoàng|Võ|Đặng"),
        _t("Linh|Thảo|Mai Anh|Ngọc|Khánh Linh|Hà"),
        _t("Minh|Bảo|Khang|Quang Huy|Đức|Tuấn"),
        _t("Hương|Lan|Thu Trang|Phương"),
        _t("Dũng|Hùng|Văn Nam|Thắng"),
    ),
    "nordic": NamePool(
        0.02,
        0.5,
        _t("Eriksson|Lindqvist|Sørensen|Magnússon|Haugland|Virtanen|Øvergaard"),
        _t("Sigrún|Astrid|Linnéa|Ingrid|Saga|Aino"),
        _t("Ólafur|Søren|Axel|Björn|Eino|Leif"),
        _t("Kristín|Åsa|Helle|Tuuli|Birgitta"),
        _t("Jón|Anders|Mikkel|Jussi|Håkon"),
    ),
}

NICKNAMES: dict[str, str] = {
    "Alexander": "Alex",
    "Oluwaseun": "Seun",
    "Wiktoria": "Vicky",
    "Bartłomiej": "Bartek",
    "Małgorzata": "Gosia",
    "Franciszek": "Franek",
    "Florence": "Flo",
    "Matilda": "Tilly",
    "Chukwuemeka": "Emeka",
    "Stanisław": "Staś",
    "Beatrice": "Bea",
    "Frederick": "Freddie",
    "Khánh Linh": "Linh",
    "Quang Huy": "Huy",
    "Zuzanna": "Zuza",
    "Ayodele": "Ayo",
}

STREETS = _t(
    "Kestrel Way|Millrace Lane|Osier Court|Wren Street|Furlong Road|Chantry Close"
    "|Pinfold Lane|Coppice Rise|Ferrymans Walk|Old Forge Row|Hawthorn Gardens|Saxon Road"
    "|Mallard Close|Tenter Street|Orchard View|Bell Meadow|Quarry Hill|Goosegreen Lane"
    "|Larkspur Avenue|Station Approach|Cobblers Yard|Mill Pond Road|Ropewalk|Fennel Drive"
)
LOCALITIES = _t("|Upper Wrenbridge|Fenn End|Wrenbridge Marsh|Highfield|||Nether Moor")
TOWN = "Wrenbridge"
POSTCODE_AREA = "WQ"  # not a real UK postcode area
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")

MOBILE_PREFIX = "07700 900"  # 07700 900000 to 900999
LANDLINE_PREFIX = "01632 960"  # 01632 960000 to 960999
WORK_PREFIXES = ("020 7946 0", "0117 496 0", "0161 496 0")  # 000 to 999 each

CLASS_NAMES: dict[str, tuple[str, str]] = {
    "R": ("R Robins", "R Wrens"),
    "1": ("1 Ash", "1 Rowan"),
    "2": ("2 Beech", "2 Holly"),
    "3": ("3 Cedar", "3 Larch"),
    "4": ("4 Elm", "4 Maple"),
    "5": ("5 Hazel", "5 Poplar"),
    "6": ("6 Oak", "6 Willow"),
}
