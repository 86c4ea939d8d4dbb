"""Invented people's names by nationality, and how often each nationality enters.

Common given and family names of each country, so a field reads like a real start list
(accents, two Spanish surnames, Icelandic patronymics). Nobody here is a real entrant.
The nationality weights follow the mix of a 4 Deserts field around 2010 (about a fifth
from the USA and the UK, many from Hong Kong, Singapore, Canada and Australia), with the
host country well represented (``HOST_BOOST``).
"""

from __future__ import annotations

# fmt: off
_EN_M = ("James", "John", "Michael", "David", "Robert", "Mark", "Paul", "Richard", "Daniel",
         "Andrew", "Steven", "Matthew", "Peter", "Tom", "Simon", "Ben", "Luke", "Adam", "Chris",
         "Tim", "Martin", "Ian", "Graham")
_EN_F = ("Sarah", "Emma", "Lisa", "Karen", "Michelle", "Rachel", "Laura", "Claire", "Helen",
         "Kate", "Amanda", "Rebecca", "Nicole", "Jessica", "Lucy", "Anna", "Jane", "Susan",
         "Victoria", "Alison", "Louise", "Zoë")
_EN_FAM = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson",
           "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White",
           "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
           "Green", "Baker", "Adams", "Hill", "Campbell", "Mitchell", "Roberts", "Carter",
           "Phillips", "Evans", "Turner", "Parker", "Collins", "Edwards", "Stewart", "Morris",
           "Cook", "Morgan", "Cooper", "Reed", "Bell", "Ward", "Cox", "Wood", "Watson", "Brooks",
           "Bennett", "Gray", "Hughes", "Price", "Ross", "Foster", "Palmer", "Hunt", "Grant")

NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "USA": ((*_EN_M, "Brian", "Kevin", "Jason", "Scott", "Eric", "Tyler", "Kyle"),
            (*_EN_F, "Jennifer", "Heather", "Ashley", "Megan", "Kristin", "Amy"),
            (*_EN_FAM, "Peterson", "Sanders", "Myers", "Hernandez", "Nguyen", "O'Connor")),
    "GBR": ((*_EN_M, "Gareth", "Rhys", "Alistair", "Hamish", "Callum", "Stuart", "Neil"),
            (*_EN_F, "Siân", "Kirsty", "Fiona", "Ffion", "Joanne", "Harriet", "Gemma"),
            (*_EN_FAM, "Davies", "MacDonald", "Fraser", "Cameron", "Shaw", "Pritchard")),
    "CAN": ((*_EN_M, "Étienne", "Jean-François", "Mathieu", "Ryan"),
            (*_EN_F, "Geneviève", "Mélanie", "Chantal", "Kelsey"),
            (*_EN_FAM, "Tremblay", "Gagnon", "Côté", "Bouchard", "Lavoie", "MacLeod")),
    "AUS": ((*_EN_M, "Bruce", "Shane", "Brett", "Lachlan"), (*_EN_F, "Kylie", "Tanya", "Brooke"),
            (*_EN_FAM, "Kennedy", "O'Brien", "Ryan", "Kelly", "Papadopoulos")),
    "NZL": ((*_EN_M, "Wiremu", "Blair", "Craig"), (*_EN_F, "Aroha", "Kiri", "Maree"),
            (*_EN_FAM, "Parata", "Te Huia", "McLeod", "Hēnare")),
    "IRL": (("Seán", "Ciarán", "Pádraig", "Eoin", "Darragh", "Conor", "Declan", "Niall"),
            ("Siobhán", "Aoife", "Niamh", "Caoimhe", "Orla", "Gráinne", "Sinéad", "Róisín"),
            ("Murphy", "O'Sullivan", "Walsh", "Kelly", "Byrne", "Ó Briain", "Doyle", "McCarthy",
             "Gallagher", "Kavanagh", "Fitzgerald", "Quinn")),
    "ZAF": (("Pieter", "Johan", "Hendrik", "Sipho", "Thabo", "Wian", "Riaan"),
            ("Annelie", "Marelize", "Nomvula", "Lindiwe", "Candice", "Tarryn"),
            ("van der Merwe", "Botha", "du Toit", "Nkosi", "Dlamini", "Pretorius", "Naidoo",
             "Venter", "Coetzee", "Steyn")),
    "HKG": (("Ka Ming", "Wai Kit", "Chi Keung", "Kelvin", "Raymond", "Alan", "Wing Hong"),
            ("Mei Ling", "Wing Yan", "Winnie", "Gigi", "Joyce", "Hoi Yan", "Ka Yee"),
            ("Chan", "Wong", "Leung", "Lau", "Cheung", "Ho", "Lam", "Tsang", "Yip", "Ng", "Chow",
             "Kwok", "Fung", "Mak")),
    "SGP": (("Kelvin", "Jun Jie", "Wei Ming", "Rajesh", "Hafiz", "Marcus", "Benjamin"),
            ("Wei Ling", "Hui Min", "Priya", "Nurul", "Jasmine", "Siew Lan", "Cheryl"),
            ("Tan", "Lim", "Lee", "Ng", "Goh", "Ong", "Teo", "Koh", "Chua", "Pillai", "Seah")),
    "MYS": (("Ahmad", "Faizal", "Kok Wai", "Ravi"), ("Siti Aminah", "Nur Aisyah", "Mei Yee"),
            ("Ismail", "Hassan", "Chong", "Abdullah", "Yusof", "Krishnan")),
    "JPN": (("Takashi", "Hiroshi", "Kenji", "Satoshi", "Daisuke", "Kazuki", "Shinji", "Ryo"),
            ("Yuki", "Yoko", "Naoko", "Akiko", "Keiko", "Mayumi", "Tomoko", "Emi"),
            ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura",
             "Kobayashi", "Kato", "Yoshida", "Yamada", "Inoue")),
    "CHN": (("Wei", "Jun", "Lei", "Tao", "Hao", "Jie", "Qiang", "Bo", "Peng", "Yong"),
            ("Fang", "Ying", "Xiaoling", "Min", "Jing", "Hong", "Yan", "Lili"),
            ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu",
             "Sun", "Ma", "Hu", "Guo")),
    "TWN": (("Chia-Hao", "Chih-Wei", "Chun-Hung", "Yu-Lin"), ("Yi-Ting", "Shu-Fen", "Ya-Ling"),
            ("Chen", "Lin", "Huang", "Chang", "Lee", "Tsai", "Hsu")),
    "KOR": (("Min-jun", "Sung-ho", "Jae-won", "Dong-hyun", "Ji-hoon", "Hyun-woo"),
            ("Ji-yeon", "Eun-ji", "Soo-jin", "Hye-won", "Min-ji", "Seo-yeon"),
            ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Han")),
    "IND": (("Rahul", "Vikram", "Arjun", "Sanjay", "Rohan"), ("Priya", "Anjali", "Deepa", "Meera"),
            ("Sharma", "Patel", "Iyer", "Reddy", "Nair", "Singh", "Gupta", "Mehta", "Rao")),
    "FRA": (("Pierre", "Nicolas", "Laurent", "Stéphane", "Frédéric", "Jérôme", "François",
             "Sébastien", "Olivier", "Thierry", "Benoît"),
            ("Céline", "Hélène", "Sophie", "Nathalie", "Isabelle", "Aurélie", "Élodie", "Camille"),
            ("Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Girard", "Rousseau", "Bonnet",
             "Faure", "Chevalier", "Mercier", "Durand", "Gauthier", "Perrin")),
    "DEU": (("Thomas", "Michael", "Andreas", "Jürgen", "Stefan", "Matthias", "Jörg", "Uwe",
             "Frank", "Tobias", "Markus"),
            ("Sabine", "Petra", "Claudia", "Katrin", "Anja", "Birgit", "Jana", "Susanne"),
            ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
             "Schäfer", "Koch", "Groß", "Köhler", "Hoffmann", "Krüger", "Neumann")),
    "AUT": (("Lukas", "Florian", "Wolfgang", "Georg"), ("Elisabeth", "Katharina", "Verena"),
            ("Gruber", "Huber", "Bauer", "Pichler", "Wimmer", "Steiner", "Moser")),
    "CHE": (("Beat", "Urs", "Reto", "Marc", "Christophe"), ("Regula", "Sandra", "Corinne"),
            ("Müller", "Meier", "Keller", "Brunner", "Favre", "Rochat", "Zürcher", "Gerber")),
    "ESP": (("José", "Javier", "Carlos", "Jordi", "Iñaki", "Álvaro", "Sergio", "Raúl", "Pablo"),
            ("María", "Carmen", "Núria", "Lucía", "Elena", "Marta", "Begoña", "Cristina"),
            ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez",
             "Pérez", "Gómez", "Ruiz", "Díaz", "Jiménez", "Muñoz", "Navarro", "Ibáñez")),
    "CHL": (("Cristián", "Rodrigo", "Felipe", "Matías", "Gonzalo", "Sebastián", "Andrés"),
            ("Catalina", "Javiera", "Francisca", "Constanza", "Paula", "Valentina"),
            ("González", "Muñoz", "Rojas", "Díaz", "Pérez", "Soto", "Contreras", "Silva",
             "Sepúlveda", "Morales", "Araya", "Fuentes", "Valenzuela", "Reyes")),
    "ARG": (("Martín", "Diego", "Nicolás", "Facundo", "Santiago"),
            ("Florencia", "Agustina", "Sofía"),
            ("González", "Rodríguez", "Gómez", "Fernández", "López", "Romero", "Benítez")),
    "MEX": (("Alejandro", "Luis", "Jorge", "Eduardo"), ("Guadalupe", "Mariana", "Ximena"),
            ("Hernández", "García", "Martínez", "López", "Ramírez", "Flores", "Cruz")),
    "BRA": (("João", "Pedro", "Lucas", "Gustavo", "Rafael", "Thiago", "Marcelo"),
            ("Ana Paula", "Fernanda", "Juliana", "Camila", "Patrícia", "Luciana"),
            ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Almeida", "Araújo")),
    "ITA": (("Marco", "Luca", "Andrea", "Giuseppe", "Alessandro", "Matteo", "Davide", "Paolo"),
            ("Giulia", "Francesca", "Chiara", "Silvia", "Elisa", "Federica"),
            ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci",
             "Marino", "Greco", "Bruno", "Gallo", "De Luca", "Conti")),
    "NLD": (("Jeroen", "Pieter", "Bas", "Maarten", "Sander", "Joost"),
            ("Anouk", "Marieke", "Femke", "Lotte", "Esther"),
            ("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser")),
    "BEL": (("Wouter", "Koen", "Olivier", "Jean-Luc"), ("Els", "Sofie", "Delphine"),
            ("Peeters", "Janssens", "Maes", "Jacobs", "Dubois", "Lambert", "De Smet")),
    "SWE": (("Erik", "Lars", "Anders", "Johan", "Magnus"), ("Anna", "Karin", "Ingrid", "Åsa"),
            ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Lindqvist", "Åberg")),
    "NOR": (("Ole", "Kjetil", "Bjørn", "Håkon", "Eirik"), ("Ingrid", "Kari", "Silje", "Marte"),
            ("Hansen", "Johansen", "Olsen", "Larsen", "Berg", "Haugen", "Solberg", "Økland")),
    "DNK": (("Søren", "Mads", "Rasmus", "Jens"), ("Mette", "Pernille", "Signe"),
            ("Jensen", "Nielsen", "Hansen", "Pedersen", "Christensen", "Sørensen", "Møller")),
    "POL": (("Piotr", "Krzysztof", "Tomasz", "Paweł", "Łukasz"),
            ("Anna", "Katarzyna", "Magdalena", "Agnieszka"),
            ("Nowak", "Wójcik", "Kowalczyk", "Zieliński", "Kamiński", "Szymański")),
    "RUS": (("Dmitry", "Sergei", "Alexei", "Andrei", "Maxim"), ("Olga", "Elena", "Irina"),
            ("Ivanov", "Smirnov", "Kuznetsov", "Popov", "Volkov", "Sokolov")),
    "EGY": (("Ahmed", "Mohamed", "Mahmoud", "Omar", "Karim", "Tarek"), ("Nour", "Yasmine", "Dina"),
            ("Hassan", "Mostafa", "El-Sayed", "Abdel Rahman", "Farouk", "Mansour", "Fahmy")),
    "ISL": (("Jón", "Sigurður", "Guðmundur", "Gunnar", "Einar"), ("Guðrún", "Sigríður", "Helga"),
            ("Ólafs", "Jóns", "Sigurðar", "Guðmundar", "Gunnars", "Einars", "Magnús")),
}

# Relative weights of each nationality in a field; the host gets HOST_BOOST more.
NATIONALITY_WEIGHT: dict[str, float] = {
    "USA": 14, "GBR": 13, "CAN": 7, "AUS": 7, "HKG": 7, "SGP": 5, "JPN": 4, "CHN": 3,
    "KOR": 3, "TWN": 2, "FRA": 4, "DEU": 4, "ESP": 4, "ITA": 3, "CHE": 2, "NLD": 2, "BEL": 1,
    "IRL": 2, "NZL": 2, "ZAF": 3, "BRA": 2, "CHL": 1, "ARG": 1, "MEX": 1, "SWE": 1, "NOR": 1,
    "DNK": 1, "ISL": 1, "POL": 1, "AUT": 1, "IND": 1, "MYS": 1, "RUS": 1, "EGY": 0.5,
}
HOST_BOOST = 6.0
# Country calling codes, for the fictional emergency numbers (+CC 555 01xx).
CALLING_CODE: dict[str, int] = {
    "USA": 1, "CAN": 1, "GBR": 44, "AUS": 61, "NZL": 64, "IRL": 353, "ZAF": 27, "HKG": 852,
    "SGP": 65, "MYS": 60, "JPN": 81, "CHN": 86, "TWN": 886, "KOR": 82, "IND": 91, "FRA": 33,
    "DEU": 49, "AUT": 43, "CHE": 41, "ESP": 34, "CHL": 56, "ARG": 54, "MEX": 52, "BRA": 55,
    "ITA": 39, "NLD": 31, "BEL": 32, "SWE": 46, "NOR": 47, "DNK": 45, "POL": 48, "RUS": 7,
    "EGY": 20, "ISL": 354,
}
# fmt: on
_TWO_SURNAMES = frozenset({"ESP", "CHL", "MEX", "ARG"})


def family_name(nationality: str, gender: str, first: str, second: str, two: bool) -> str:
    """A family name as the country writes it: Icelandic patronymics (Magnús -> Magnússon,
    Magnúsdóttir), Polish and Russian feminine forms, two Spanish surnames."""
    if nationality == "ISL":
        return first + ("son" if gender == "M" else "dóttir")
    if nationality == "POL" and gender == "F" and first.endswith("ski"):
        return first[:-1] + "a"
    if nationality == "RUS" and gender == "F":
        return first + "a"
    if nationality in _TWO_SURNAMES and two and second != first:
        return f"{first} {second}"
    return first
