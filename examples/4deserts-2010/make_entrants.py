"""Write the synthetic entrant lists of the 4 Deserts 2010 example.

    python make_entrants.py      # writes entrants/*.csv and entrants/sahara-race-2010.xlsx

Everyone here is invented: names are drawn at random from common given and family names
of each nationality, dates of birth and chip tags are random, phone numbers follow
fictional patterns (+44 7700 900xxx, +1 xxx 555 01xx, +33 6 39 98 xx xx, +cc ... 555 ...).
Deterministic (fixed seed, stdlib + xlsxwriter): running it again gives the same files.

The mix: about a quarter women, ages 21-70 on race day (most 30-55), many nationalities
(ISO 3166 alpha-3), a few teams of 3-4, a few entrants with two chip tags, about 30
"Grand Slam hopefuls" entered in all four races (same name and date of birth, a new bib
in each race), and every Last Desert entrant also entered in at least two of the other
three races. One deliberate namesake: two different people called James Wilson.
"""

from __future__ import annotations

import csv
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import xlsxwriter

SEED = 2010
HERE = Path(__file__).resolve().parent
OUT = HERE / "entrants"
HEADER = [
    "bib",
    "given_name",
    "family_name",
    "gender",
    "date_of_birth",
    "nationality",
    "team",
    "tags",
    "emergency_contact",
]

A, G, S, L = "atacama-crossing-2010", "gobi-march-2010", "sahara-race-2010", "the-last-desert-2010"
RACE_DAY = {A: date(2010, 3, 7), G: date(2010, 6, 27), S: date(2010, 10, 31), L: date(2010, 11, 28)}
SIZE = {A: 148, G: 163, S: 171, L: 54}
TAG_HEX = {A: 8, G: 10, S: 12, L: 8}  # chip batches differ between races
WOMEN_SHARE = 0.25  # of each race field (the one-race entrants make it up)
HOST = {A: "CHL", G: "CHN", S: "EGY", L: None}

# --- names by nationality ----------------------------------------------------------

# fmt: off
EN_M = ["James", "John", "Michael", "David", "Robert", "Mark", "Paul", "Richard", "Daniel",
    "Christopher", "Andrew", "Steven", "Matthew", "Peter", "Tom", "Simon", "Nick", "Ben", "Sam",
    "Luke", "Adam", "Jonathan", "Chris", "Tim", "Martin", "Ian", "Graham", "Phil"]
EN_F = ["Sarah", "Emma", "Lisa", "Karen", "Michelle", "Rachel", "Laura", "Claire", "Helen", "Kate",
    "Amanda", "Rebecca", "Nicole", "Jessica", "Lucy", "Anna", "Jane", "Susan", "Caroline",
    "Victoria", "Alison", "Louise", "Natalie", "Zoë"]
EN_FAM = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
    "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris",
    "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Green", "Baker",
    "Adams", "Hill", "Campbell", "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner",
    "Parker", "Collins", "Edwards", "Stewart", "Morris", "Cook", "Rogers", "Morgan", "Cooper",
    "Reed", "Bailey", "Bell", "Howard", "Ward", "Cox", "Richardson", "Wood", "Watson", "Brooks",
    "Bennett", "Gray", "Hughes", "Price", "Ross", "Foster", "Russell", "Palmer", "Hunt", "Mason",
    "Webb", "Lawson", "Grant"]

NAMES: dict[str, tuple[list[str], list[str], list[str]]] = {  # men, women, families
    "USA": ([*EN_M, "Brian", "Kevin", "Jason", "Scott", "Eric", "Greg", "Tyler", "Brandon",
            "Kyle"],
            [*EN_F, "Jennifer", "Heather", "Ashley", "Kimberly", "Megan", "Kristin", "Amy",
            "Stacy"],
            [*EN_FAM, "Peterson", "Sanders", "Myers", "Long", "Hernandez", "Nguyen", "Kowalczyk",
            "O'Connor", "Schultz", "Rivera"]),
    "GBR": ([*EN_M, "Gareth", "Rhys", "Alistair", "Hamish", "Callum", "Stuart", "Neil", "Rupert"],
            [*EN_F, "Siân", "Kirsty", "Fiona", "Ffion", "Joanne", "Harriet", "Gemma", "Catriona"],
            [*EN_FAM, "Davies", "MacDonald", "McKenzie", "Fraser", "Cameron", "Shaw", "Holmes",
            "Fletcher", "Barker", "Marsh", "Pritchard", "Llewellyn", "Ashworth"]),
    "CAN": ([*EN_M, "Étienne", "Jean-François", "Mathieu", "Ryan", "Wayne"],
            [*EN_F, "Geneviève", "Mélanie", "Chantal", "Brianne", "Kelsey"],
            [*EN_FAM, "Tremblay", "Gagnon", "Côté", "Bouchard", "Lavoie", "MacLeod", "Fortin"]),
    "AUS": ([*EN_M, "Bruce", "Shane", "Brett", "Lachlan", "Mitchell", "Jarrod"],
            [*EN_F, "Kylie", "Tanya", "Belinda", "Leanne", "Brooke"],
            [*EN_FAM, "Kennedy", "O'Brien", "Ryan", "Kelly", "Nguyen", "Papadopoulos"]),
    "NZL": ([*EN_M, "Wiremu", "Hamish", "Blair", "Craig"],
            [*EN_F, "Aroha", "Kiri", "Maree", "Rebekah"],
            [*EN_FAM, "Parata", "Te Huia", "McLeod", "Hēnare", "Sutherland"]),
    "IRL": (["Seán", "Ciarán", "Pádraig", "Eoin", "Darragh", "Conor", "Declan", "Cathal", "Niall"],
            ["Siobhán", "Aoife", "Niamh", "Caoimhe", "Orla", "Gráinne", "Sinéad", "Róisín"],
            ["Murphy", "O'Sullivan", "Walsh", "Kelly", "Byrne", "Ó Briain", "Doyle", "McCarthy",
            "Gallagher", "Ó Súilleabháin", "Kavanagh", "Fitzgerald", "Quinn"]),
    "ZAF": (["Pieter", "Johan", "Hendrik", "Sipho", "Thabo", "Grant", "Wian", "Riaan", "Craig"],
            ["Annelie", "Marelize", "Nomvula", "Lindiwe", "Candice", "Elmarie", "Tarryn"],
            ["van der Merwe", "Botha", "du Toit", "Nkosi", "Dlamini", "Pretorius", "Naidoo",
            "Venter", "Coetzee", "Ndlovu", "Steyn", "Fourie"]),
    "HKG": (["Ka Ming", "Wai Kit", "Chi Keung", "Kelvin", "Raymond", "Alan", "Edmund",
            "Wing Hong"],
            ["Mei Ling", "Wing Yan", "Winnie", "Gigi", "Joyce", "Hoi Yan", "Vivian", "Ka Yee"],
            ["Chan", "Wong", "Leung", "Lau", "Cheung", "Ho", "Lam", "Tsang", "Yip", "Ng", "Chow",
            "Kwok", "Fung", "Mak"]),
    "SGP": (["Daniel", "Kelvin", "Jun Jie", "Wei Ming", "Rajesh", "Hafiz", "Marcus", "Benjamin"],
            ["Wei Ling", "Hui Min", "Priya", "Nurul", "Rachel", "Jasmine", "Siew Lan", "Cheryl"],
            ["Tan", "Lim", "Lee", "Ng", "Goh", "Ong", "Teo", "Koh", "Chua", "Pillai", "Nair",
            "Rahman", "Seah"]),
    "MYS": (["Ahmad", "Faizal", "Kok Wai", "Hafiz", "Ravi"],
            ["Siti Aminah", "Nur Aisyah", "Mei Yee", "Kavitha"],
            ["Ismail", "Hassan", "Chong", "Abdullah", "Yusof", "Lim", "Krishnan"]),
    "JPN": (["Takashi", "Hiroshi", "Kenji", "Satoshi", "Daisuke", "Kazuki", "Shinji", "Tetsuya",
            "Ryo"],
            ["Yuki", "Yoko", "Naoko", "Akiko", "Keiko", "Mayumi", "Tomoko", "Emi"],
            ["Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura",
            "Kobayashi", "Kato", "Yoshida", "Yamada", "Matsumoto", "Inoue"]),
    "CHN": (["Wei", "Jun", "Lei", "Tao", "Hao", "Jie", "Qiang", "Bo", "Peng", "Yong"],
            ["Fang", "Ying", "Xiaoling", "Min", "Jing", "Hong", "Yan", "Lili"],
            ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu",
            "Sun", "Ma", "Hu", "Guo"]),
    "TWN": (["Chia-Hao", "Chih-Wei", "Chun-Hung", "Yu-Lin", "Kuan-Ting"],
            ["Yi-Ting", "Shu-Fen", "Hsiao-Wen", "Ya-Ling"],
            ["Chen", "Lin", "Huang", "Chang", "Lee", "Wang", "Wu", "Liu", "Tsai", "Hsu"]),
    "KOR": (["Min-jun", "Sung-ho", "Jae-won", "Dong-hyun", "Ji-hoon", "Young-soo", "Hyun-woo"],
            ["Ji-yeon", "Eun-ji", "Soo-jin", "Hye-won", "Min-ji", "Seo-yeon"],
            ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han"]),
    "IND": (["Rahul", "Vikram", "Arjun", "Sanjay", "Anil", "Rohan"],
            ["Priya", "Anjali", "Deepa", "Kavita", "Meera"],
            ["Sharma", "Patel", "Iyer", "Reddy", "Nair", "Singh", "Gupta", "Mehta", "Rao",
            "Menon"]),
    "FRA": (["Pierre", "Nicolas", "Laurent", "Stéphane", "Frédéric", "Jérôme", "François",
            "Sébastien", "Olivier", "Thierry", "Rémi", "Benoît"],
            ["Céline", "Hélène", "Sophie", "Nathalie", "Isabelle", "Véronique", "Aurélie",
            "Élodie", "Camille", "Sandrine"],
            ["Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Girard", "Rousseau", "Bonnet",
            "Faure", "Chevalier", "Lemaître", "Mercier", "Durand", "Gauthier", "Perrin"]),
    "DEU": (["Thomas", "Michael", "Andreas", "Jürgen", "Stefan", "Matthias", "Jörg", "Uwe",
            "Frank", "Tobias", "Markus", "Christoph"],
            ["Sabine", "Petra", "Claudia", "Katrin", "Anja", "Birgit", "Jana", "Susanne", "Maren"],
            ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
            "Schäfer", "Koch", "Groß", "Köhler", "Hoffmann", "Krüger", "Wolf", "Neumann"]),
    "AUT": (["Lukas", "Florian", "Wolfgang", "Stefan", "Andreas", "Georg"],
            ["Elisabeth", "Katharina", "Birgit", "Verena"],
            ["Gruber", "Huber", "Bauer", "Pichler", "Wimmer", "Steiner", "Moser", "Hofer"]),
    "CHE": (["Beat", "Urs", "Reto", "Lukas", "Marc", "Christophe", "Daniel"],
            ["Regula", "Sandra", "Corinne", "Nathalie", "Barbara"],
            ["Müller", "Meier", "Keller", "Brunner", "Favre", "Rochat", "Zürcher", "Baumann",
            "Gerber", "Bühler"]),
    "ESP": (["José", "Javier", "Carlos", "Jordi", "Iñaki", "Álvaro", "Sergio", "Raúl", "Pablo",
            "Antonio", "Xavier"],
            ["María", "Carmen", "Núria", "Lucía", "Elena", "Marta", "Begoña", "Montserrat",
            "Cristina"],
            ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez",
            "Pérez", "Gómez", "Ruiz", "Díaz", "Jiménez", "Muñoz", "Álvarez", "Romero", "Navarro",
            "Ibáñez", "Puig", "Etxeberria"]),
    "CHL": (["Cristián", "Rodrigo", "Felipe", "Matías", "Gonzalo", "Sebastián", "Andrés",
            "Ignacio", "Tomás", "Patricio"],
            ["Catalina", "Javiera", "Francisca", "Constanza", "Paula", "Carolina", "Valentina",
            "Macarena"],
            ["González", "Muñoz", "Rojas", "Díaz", "Pérez", "Soto", "Contreras", "Silva",
            "Martínez", "Sepúlveda", "Morales", "Araya", "Fuentes", "Valenzuela", "Espinoza",
            "Reyes"]),
    "ARG": (["Martín", "Diego", "Nicolás", "Facundo", "Santiago", "Hernán"],
            ["Florencia", "Agustina", "Valeria", "Sofía"],
            ["González", "Rodríguez", "Gómez", "Fernández", "López", "Álvarez", "Romero",
            "Benítez", "Acosta"]),
    "MEX": (["Alejandro", "Luis", "Jorge", "Eduardo", "Ricardo"],
            ["Guadalupe", "Mariana", "Daniela", "Ximena"],
            ["Hernández", "García", "Martínez", "López", "González", "Ramírez", "Flores", "Cruz"]),
    "BRA": (["João", "Pedro", "Lucas", "Gustavo", "Rafael", "Thiago", "Marcelo", "Rodrigo"],
            ["Ana Paula", "Fernanda", "Juliana", "Camila", "Patrícia", "Luciana"],
            ["Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Rodrigues", "Almeida",
            "Nascimento", "Araújo", "Gonçalves", "Ribeiro"]),
    "PRT": (["João", "Rui", "Nuno", "Tiago", "Miguel"],
            ["Inês", "Joana", "Sofia", "Mariana"],
            ["Silva", "Santos", "Ferreira", "Pereira", "Costa", "Martins", "Sousa", "Magalhães"]),
    "ITA": (["Marco", "Luca", "Andrea", "Giuseppe", "Alessandro", "Matteo", "Davide", "Nicolò",
            "Stefano", "Paolo"],
            ["Giulia", "Francesca", "Chiara", "Silvia", "Elisa", "Federica", "Valentina"],
            ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
            "Marino", "Greco", "Bruno", "Gallo", "De Luca", "Conti", "Mancini", "Fabbri"]),
    "NLD": (["Jeroen", "Pieter", "Bas", "Maarten", "Sander", "Joost", "Willem"],
            ["Anouk", "Marieke", "Femke", "Lotte", "Esther", "Ilse"],
            ["de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser",
            "Smit", "Meijer", "de Boer", "Mulder"]),
    "BEL": (["Wouter", "Koen", "Pieter", "Olivier", "Jean-Luc"],
            ["Els", "Sofie", "An", "Delphine"],
            ["Peeters", "Janssens", "Maes", "Jacobs", "Dubois", "Lambert", "De Smet", "Claes",
            "Willems"]),
    "SWE": (["Erik", "Lars", "Anders", "Johan", "Magnus", "Fredrik"],
            ["Anna", "Karin", "Ingrid", "Åsa", "Linnéa"],
            ["Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Lindqvist",
            "Åberg", "Sjöberg"]),
    "NOR": (["Ole", "Lars", "Kjetil", "Bjørn", "Håkon", "Eirik"],
            ["Ingrid", "Kari", "Silje", "Marte"],
            ["Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Berg", "Haugen", "Solberg",
            "Bråten", "Økland"]),
    "DNK": (["Søren", "Mads", "Rasmus", "Jens", "Anders"],
            ["Mette", "Louise", "Pernille", "Signe"],
            ["Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Sørensen",
            "Møller"]),
    "POL": (["Piotr", "Krzysztof", "Tomasz", "Paweł", "Marcin", "Łukasz"],
            ["Anna", "Katarzyna", "Magdalena", "Agnieszka", "Małgorzata"],
            ["Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Lewandowski", "Zieliński", "Kamiński",
            "Szymański"]),
    "RUS": (["Dmitry", "Sergei", "Alexei", "Andrei", "Maxim"],
            ["Olga", "Elena", "Natalia", "Irina"],
            ["Ivanov", "Smirnov", "Kuznetsov", "Popov", "Volkov", "Sokolov", "Morozov"]),
    "EGY": (["Ahmed", "Mohamed", "Mahmoud", "Omar", "Karim", "Tarek", "Amr"],
            ["Nour", "Yasmine", "Dina", "Mona", "Heba"],
            ["Hassan", "Mostafa", "El-Sayed", "Abdel Rahman", "Farouk", "Mansour", "Shawky",
            "Naguib", "Fahmy"]),
    # Icelandic family names are patronymics: the father's name in the genitive,
    # + son or + dóttir (see Generator.family_name)
    "ISL": (["Jón", "Sigurður", "Guðmundur", "Gunnar", "Einar", "Ólafur"],
            ["Guðrún", "Anna", "Sigríður", "Kristín", "Helga", "Ragnheiður"],
            ["Ólafs", "Jóns", "Sigurðar", "Guðmundar", "Gunnars", "Einars", "Stefáns", "Kristjáns",
            "Björns", "Magnús"]),
}

# How often each nationality turns up in a 2010 field (relative weights).
NATIONALITY_WEIGHT = {"USA": 14, "GBR": 13, "CAN": 7, "AUS": 7, "HKG": 7, "SGP": 5, "JPN": 4,
    "CHN": 3, "KOR": 3, "TWN": 2, "FRA": 4, "DEU": 4, "ESP": 4, "ITA": 3, "CHE": 2, "NLD": 2,
    "BEL": 1, "IRL": 2, "NZL": 2, "ZAF": 3, "BRA": 2, "CHL": 1, "ARG": 1, "MEX": 1, "SWE": 1,
    "NOR": 1, "DNK": 1, "ISL": 1, "POL": 1, "AUT": 1, "IND": 1, "MYS": 1, "PRT": 1, "RUS": 1,
    "EGY": 0.5}
HOST_BOOST = {"CHL": 7, "CHN": 6, "EGY": 3}
# Grand Slam hopefuls come mostly from the series' biggest markets.
SLAM_WEIGHT = {"USA": 6, "GBR": 5, "HKG": 3, "SGP": 2, "CAN": 3, "AUS": 3, "JPN": 1, "KOR": 1,
    "DEU": 1, "FRA": 1, "ESP": 1, "IRL": 1, "ZAF": 1, "NZL": 1, "BRA": 1}

PHONE_CC = {"USA": 1, "CAN": 1, "GBR": 44, "AUS": 61, "NZL": 64, "IRL": 353, "ZAF": 27, "HKG": 852,
    "SGP": 65, "MYS": 60, "JPN": 81, "CHN": 86, "TWN": 886, "KOR": 82, "IND": 91, "FRA": 33,
    "DEU": 49, "AUT": 43, "CHE": 41, "ESP": 34, "CHL": 56, "ARG": 54, "MEX": 52, "BRA": 55,
    "PRT": 351, "ITA": 39, "NLD": 31, "BEL": 32, "SWE": 46, "NOR": 47, "DNK": 45, "POL": 48,
    "RUS": 7, "EGY": 20, "ISL": 354}
# fmt: on
US_AREA = ["212", "415", "303", "617", "206", "512", "312", "619", "802", "970"]
CA_AREA = ["416", "604", "403", "514", "613", "902"]


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass
class Person:
    given: str
    family: str
    gender: str
    born: date
    nationality: str
    contact: str
    races: set[str] = field(default_factory=set)
    team: dict[str, str] = field(default_factory=dict)  # race -> team name


class Generator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names_taken: set[tuple[str, str]] = set()
        self.tags_taken: set[str] = set()

    def weighted(self, weights: dict[str, float]) -> str:
        keys = list(weights)
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def family_name(self, nationality: str, gender: str) -> str:
        families = NAMES[nationality][2]
        name = self.rng.choice(families)
        if nationality == "ISL":  # Magnús -> Magnússon / Magnúsdóttir
            return name + ("son" if gender == "M" else "dóttir")
        if nationality == "POL" and gender == "F" and name.endswith("ski"):
            return name[:-1] + "a"
        if nationality == "RUS" and gender == "F":
            return name + "a"
        if nationality in {"ESP", "CHL", "MEX"} and self.rng.random() < 0.6:
            second = self.rng.choice(families)
            if second != name:
                return f"{name} {second}"
        return name

    def name(self, nationality: str, gender: str) -> tuple[str, str]:
        men, women, _ = NAMES[nationality]
        for _ in range(200):
            given = self.rng.choice(men if gender == "M" else women)
            family = self.family_name(nationality, gender)
            key = (fold(given), fold(family))
            if key not in self.names_taken:
                self.names_taken.add(key)
                return given, family
        raise RuntimeError(f"ran out of {nationality} names")

    def born(self, low: int = 22, high: int = 68) -> date:
        """A date of birth: age (at mid-2010) mostly 30-55, all within low..high."""
        if self.rng.random() < 0.78:
            age = round(self.rng.gauss(42, 7))
        else:
            age = self.rng.randint(low, high)
        age = min(high, max(low, age))
        return date(2010, 7, 1) - timedelta(days=round(age * 365.25) + self.rng.randint(0, 364))

    def phone(self, nationality: str) -> str:
        n = self.rng.randint
        if nationality == "GBR":
            return f"+44 7700 900{n(0, 999):03d}"
        if nationality in {"USA", "CAN"}:
            area = self.rng.choice(US_AREA if nationality == "USA" else CA_AREA)
            return f"+1 {area} 555 01{n(0, 99):02d}"
        if nationality == "FRA":
            return f"+33 6 39 98 {n(0, 99):02d} {n(0, 99):02d}"
        if nationality == "AUS":
            return f"+61 491 570 {n(100, 999)}"
        return f"+{PHONE_CC[nationality]} {n(10, 99)} 555 {n(0, 9999):04d}"

    def contact(self, nationality: str, gender: str, family: str) -> str:
        men, women, _ = NAMES[nationality]
        other = "F" if gender == "M" and self.rng.random() < 0.85 else "M"
        given = self.rng.choice(women if other == "F" else men)
        if (
            nationality in {"ESP", "CHL", "MEX", "ARG", "CHN", "KOR", "ISL"}
            or self.rng.random() < 0.2
        ):
            family = self.family_name(nationality, other)  # a spouse or friend with their own name
        return f"{given} {family} {self.phone(nationality)}"

    def person(
        self,
        nationality: str,
        gender: str | None = None,
        born: date | None = None,
        women_share: float = 0.22,
    ) -> Person:
        gender = gender or ("F" if self.rng.random() < women_share else "M")
        given, family = self.name(nationality, gender)
        return Person(
            given,
            family,
            gender,
            born or self.born(),
            nationality,
            self.contact(nationality, gender, family),
        )

    def tag(self, race: str) -> str:
        while True:
            value = f"{self.rng.getrandbits(4 * TAG_HEX[race]):0{TAG_HEX[race]}X}"
            if value not in self.tags_taken:
                self.tags_taken.add(value)
                return value


TEAMS = {  # race -> [(team name, nationality, members)]; "Dust Devils HK" races all four
    A: [("Los Cóndores", "CHL", 4), ("Lion City Striders", "SGP", 3), ("Maple Leaf Mob", "CAN", 3)],
    G: [
        ("Silk Road Strollers", "GBR", 3),
        ("Great Wall Gazelles", "CHN", 4),
        ("Kiwi Sandflies", "NZL", 3),
    ],
    S: [
        ("Les Chameaux Fous", "FRA", 4),
        ("Dune Doggies", "AUS", 3),
        ("Team Tokyo Sandstorm", "JPN", 3),
        ("Pharaoh's Feet", "EGY", 3),
    ],
    L: [],
}
SLAM_TEAM = "Dust Devils HK"


def build(rng: random.Random) -> list[Person]:
    gen = Generator(rng)
    people: list[Person] = []

    # Grand Slam hopefuls: all four races (three of them race as a team).
    for index in range(30):
        nationality = "HKG" if index < 3 else gen.weighted(SLAM_WEIGHT)
        person = gen.person(nationality, women_share=0.25, born=gen.born(28, 64))
        person.races = {A, G, S, L}
        if index < 3:
            person.team = dict.fromkeys((A, G, S, L), SLAM_TEAM)
        people.append(person)
    # The rest of the Last Desert field: two of the other three races.
    for pair, count in (((A, G), 8), ((A, S), 8), ((G, S), 8)):
        for _ in range(count):
            person = gen.person(gen.weighted(SLAM_WEIGHT), women_share=0.25, born=gen.born(26, 66))
            person.races = {*pair, L}
            people.append(person)
    # Repeat runners who skip Antarctica.
    for races, count in (((A, G, S), 6), ((A, G), 6), ((A, S), 6), ((G, S), 7)):
        for _ in range(count):
            person = gen.person(gen.weighted(NATIONALITY_WEIGHT))
            person.races = set(races)
            people.append(person)
    # Teams of one race.
    for race, teams in TEAMS.items():
        for team, nationality, members in teams:
            for _ in range(members):
                person = gen.person(nationality)
                person.races = {race}
                person.team[race] = team
                people.append(person)
    # Edge cases: 21 on the first day of the Atacama, 70 on the first day of the Sahara,
    # and a namesake pair (two different James Wilsons).
    for race, nationality, gender, born in (
        (A, "AUS", "F", date(1988, 11, 14)),
        (S, "GBR", "M", date(1940, 8, 20)),
    ):
        person = gen.person(nationality, gender=gender, born=born)
        person.races = {race}
        people.append(person)
    for race, nationality, born in ((A, "GBR", date(1968, 5, 2)), (S, "USA", date(1975, 9, 23))):
        person = Person(
            "James", "Wilson", "M", born, nationality, gen.contact(nationality, "M", "Wilson")
        )
        person.races = {race}
        people.append(person)
    gen.names_taken.add((fold("James"), fold("Wilson")))
    # Everyone else: one race, the host country well represented.
    for race in (A, G, S):
        weights = dict(NATIONALITY_WEIGHT)
        weights[HOST[race]] = weights[HOST[race]] + HOST_BOOST[HOST[race]]
        field_ = [p for p in people if race in p.races]
        count = SIZE[race] - len(field_)
        women = max(
            0, min(count, round(WOMEN_SHARE * SIZE[race]) - sum(p.gender == "F" for p in field_))
        )
        genders = ["F"] * women + ["M"] * (count - women)
        rng.shuffle(genders)
        for gender in genders:
            person = gen.person(gen.weighted(weights), gender=gender)
            person.races = {race}
            people.append(person)
    for race in (A, G, S, L):
        assert sum(race in p.races for p in people) == SIZE[race], race
    return people


def entrant_rows(people: list[Person], race: str, rng: random.Random, gen_tags) -> list[list]:
    """The race's entrants in bib order: teams take consecutive bibs; a few numbers are
    missing (entrants who withdrew before the start)."""
    entrants = [p for p in people if race in p.races]
    units: dict[str, list[Person]] = {}
    for person in entrants:
        key = person.team.get(race) or f"{person.given}|{person.family}|{person.born}"
        units.setdefault(key, []).append(person)
    order = list(units.values())
    rng.shuffle(order)
    rows, bib = [], 0
    for unit in order:
        for person in unit:
            bib += 1 + (rng.random() < 0.03)
            tags = [gen_tags(race)]
            if rng.random() < 0.04:
                tags.append(gen_tags(race))  # a spare chip on the pack
            rows.append(
                [
                    bib,
                    person.given,
                    person.family,
                    person.gender,
                    person.born,
                    person.nationality,
                    person.team.get(race, ""),
                    ";".join(tags),
                    person.contact,
                ]
            )
    return rows


def write_csv(path: Path, rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow(
                [value.isoformat() if isinstance(value, date) else value for value in row]
            )


def write_xlsx(path: Path, rows: list[list]) -> None:
    """The same list as a spreadsheet: bib a number, date of birth a real date cell."""
    book = xlsxwriter.Workbook(str(path))
    # fixed document properties keep the file the same from one run to the next
    book.set_properties(
        {"title": path.stem, "author": "Desert Runners examples", "created": datetime(2010, 9, 1)}
    )
    sheet = book.add_worksheet("Entrants")
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for column, name in enumerate(HEADER):
        sheet.write_string(0, column, name, bold)
    for row_index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if column == 0:
                sheet.write_number(row_index, column, value)
            elif isinstance(value, date):
                sheet.write_datetime(row_index, column, value, day)
            elif value != "":
                sheet.write_string(row_index, column, value)
    for column, width in enumerate([6, 16, 20, 8, 13, 12, 22, 26, 36]):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    book.close()


def main() -> None:
    rng = random.Random(SEED)
    people = build(rng)
    gen = Generator(random.Random(SEED + 1))
    OUT.mkdir(exist_ok=True)
    for race in (A, G, S, L):
        rows = entrant_rows(people, race, random.Random(f"{SEED}-{race}"), gen.tag)
        write_csv(OUT / f"{race}.csv", rows)
        if race == S:
            write_xlsx(OUT / f"{race}.xlsx", rows)
        women = sum(row[3] == "F" for row in rows)
        print(
            f"{race}: {len(rows)} entrants, {women} women, "
            f"{len({row[5] for row in rows})} nationalities"
        )
    print(f"in all four races: {sum(len(p.races) == 4 for p in people)}")


if __name__ == "__main__":
    main()
