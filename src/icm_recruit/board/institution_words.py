"""Words of institution names: translations into English and the classes used to compare.

Every word is folded first (accents stripped, ``ae/oe/ue`` read as ``a/o/u``), so the
tables below are written folded. A word maps to one or more English words; the classes say
what a word tells about an institution:

- heads name the kind of body (university, institute, hospital ...);
- types make a different institution of the same place ("Technical University of Munich"
  is not "University of Munich", "Medical University of Vienna" not "University of
  Vienna"): they must be equal on both sides;
- subjects are fields and departments ("Brain Research", "Medicine"): two names with
  subjects must have the same ones, a name without any matches one with some;
- places are countries, regions and large cities: a name that only says "University" and
  a place ("University of Oxford") must agree on everything else too.
A word in none of the classes is distinctive (Karolinska, Pasteur, Weizmann, Eppendorf).
"""

# Other languages and abbreviations, into English words (folded keys).
TRANSLATIONS: dict[str, str] = {
    # university
    "univ": "university", "uni": "university", "u": "university", "universite": "university",
    "universitat": "university", "universitats": "university", "universidad": "university",
    "universita": "university", "universiteit": "university", "universidade": "university",
    "universitet": "university", "universitetet": "university", "uniwersytet": "university",
    "univerzita": "university", "universitatea": "university", "yliopisto": "university",
    "rijksuniversiteit": "university", "egyetem": "university", "universitaire": "university",
    "universitario": "university", "universitair": "university", "universitaria": "university",
    "uc": "university california", "universities": "university",
    "universitaires": "university", "universitarios": "university",
    "institutes": "institute", "centers": "center", "centres": "center",
    "hospitals": "hospital", "clinics": "clinic", "laboratories": "laboratory",
    "labs": "laboratory", "schools": "school", "colleges": "college",
    # institute, school, college
    "inst": "institute", "institut": "institute", "instituto": "institute",
    "istituto": "institute", "institutet": "institute", "instituut": "institute",
    "instytut": "institute", "mpi": "max planck institute",
    "ecole": "school", "escuela": "school", "scuola": "school", "schule": "school",
    "sch": "school", "hochschule": "university", "hogeschool": "college", "coll": "college",
    "college": "college", "colegio": "college", "collegio": "college",
    "fac": "faculty", "faculte": "faculty", "fakultat": "faculty", "facultad": "faculty",
    "facolta": "faculty",
    # centres and laboratories
    "ctr": "center", "cntr": "center", "centre": "center", "cent": "center",
    "centro": "center", "centrum": "center", "zentrum": "center", "centrale": "central",
    "lab": "laboratory", "labo": "laboratory", "laboratoire": "laboratory",
    "laboratorio": "laboratory", "labor": "laboratory", "laboratorium": "laboratory",
    # hospitals
    "hosp": "hospital", "hopital": "hospital", "hopitaux": "hospital",
    "hospitalier": "hospital", "hospitaliere": "hospital", "ospedale": "hospital",
    "hospital": "hospital", "krankenhaus": "hospital", "klinikum": "hospital",
    "klinik": "clinic", "clinique": "clinic", "clinica": "clinic", "ziekenhuis": "hospital",
    "sjukhuset": "hospital", "chu": "hospital", "chru": "hospital",
    "universitatsklinikum": "university hospital", "uniklinik": "university hospital",
    "universitatsmedizin": "university medicine", "uniklinikum": "university hospital",
    # foundations, academies, societies
    "fdn": "foundation", "fondation": "foundation", "fundacion": "foundation",
    "fundacao": "foundation", "fondazione": "foundation", "stiftung": "foundation",
    "acad": "academy", "academie": "academy", "akademie": "academy", "academia": "academy",
    "gesellschaft": "society", "societe": "society",
    # types
    "polytech": "polytechnic", "polytechnique": "polytechnic", "politecnico": "polytechnic",
    "politecnica": "polytechnic", "tech": "technology", "technol": "technology",
    "technical": "technology", "technological": "technology", "technische": "technology",
    "technischen": "technology", "technique": "technology", "technik": "technology",
    "tecnologia": "technology", "technologie": "technology", "technologies": "technology",
    "technion": "technion", "catholique": "catholic", "katholieke": "catholic",
    "katholische": "catholic", "catolica": "catholic", "cattolica": "catholic",
    "libre": "free", "freie": "free", "vrije": "free", "libera": "free",
    "autonoma": "autonomous", "autonome": "autonomous",
    "medizinische": "medical", "medicale": "medical", "medico": "medical",
    "medica": "medical", "medisch": "medical", "normale": "normal",
    "superieure": "higher", "superiore": "higher", "superior": "higher",
    # subjects
    "med": "medicine", "medecine": "medicine", "medizin": "medicine", "medicina": "medicine",
    "res": "research", "recherche": "research", "rech": "research", "forschung": "research",
    "investigacion": "research", "ricerca": "research", "onderzoek": "research",
    "sci": "science", "sciences": "science", "wissenschaften": "science",
    "ciencias": "science", "scienze": "science", "naturwissenschaften": "science",
    "cerveau": "brain", "cerebro": "brain", "cervello": "brain", "hirn": "brain",
    "hirnforschung": "brain research", "hersenen": "brain", "herseninstituut": "brain institute",
    "neurosciences": "neuroscience", "neurowissenschaften": "neuroscience",
    "neurociencias": "neuroscience", "neuroscienze": "neuroscience",
    "neurologie": "neurology", "neurologia": "neurology", "neurobiologie": "neurobiology",
    "psychiatrie": "psychiatry", "psichiatria": "psychiatry", "biologie": "biology",
    "biologia": "biology", "biologique": "biology", "biological": "biology",
    "biomedicales": "biomedical", "biomedizin": "biomedical", "sante": "health",
    "gesundheit": "health", "salud": "health", "salute": "health", "saude": "health",
    "moelle": "spinal", "epiniere": "cord", "cancerologie": "cancer", "krebs": "cancer",
    "genetique": "genetics", "genetik": "genetics", "genomique": "genomics",
    "moleculaire": "molecular", "molekulare": "molecular", "molecolare": "molecular",
    "cellulaire": "cellular", "physiologie": "physiology", "pharmacologie": "pharmacology",
    "immunologie": "immunology", "cognitives": "cognitive", "kognitions": "cognitive",
    "neurodegenerative": "neurodegenerative", "erkrankungen": "diseases",
    "maladies": "diseases", "enfermedades": "diseases", "deutsches": "german",
    "deutsche": "german", "francais": "french", "francaise": "french",
    "nationale": "national", "nacional": "national", "nazionale": "national",
    "national": "national", "natl": "national", "nat": "national", "intl": "international",
    "dept": "department", "dep": "department", "departement": "department",
    "departamento": "department", "dipartimento": "department", "abteilung": "department",
    "dev": "development", "devel": "development", "etudes": "studies", "studi": "studies",
    "estudios": "studies", "avances": "advanced", "avanzati": "advanced",
    "experimentale": "experimental", "experimentelle": "experimental",
    "klinische": "clinical", "klinisch": "clinical", "neurologico": "neurological",
    "neurologique": "neurological", "neurologisches": "neurological",
    "neurologica": "neurological",
    # places written in several languages
    "munchen": "munich", "muenchen": "munich", "koln": "cologne", "wien": "vienna",
    "geneve": "geneva", "genf": "geneva", "ginevra": "geneva", "zurich": "zurich",
    "milano": "milan", "roma": "rome", "napoli": "naples", "torino": "turin",
    "firenze": "florence", "venezia": "venice", "padova": "padua", "genova": "genoa",
    "lisboa": "lisbon", "praha": "prague", "warszawa": "warsaw", "warszawski": "warsaw",
    "krakow": "krakow", "kobenhavn": "copenhagen", "kobenhavns": "copenhagen",
    "goteborg": "gothenburg", "goteborgs": "gothenburg", "bruxelles": "brussels",
    "brussel": "brussels", "antwerpen": "antwerp", "anvers": "antwerp", "gent": "ghent",
    "gand": "ghent",
    "den": "den", "haag": "hague", "moskva": "moscow", "athina": "athens",
    "sevilla": "seville", "berne": "bern", "bale": "basel", "strassburg": "strasbourg",
    "lyons": "lyon", "marseilles": "marseille", "braunschweig": "brunswick",
    "hannover": "hanover", "nurnberg": "nuremberg", "peking": "beijing",
    "montreal": "montreal", "quebec": "quebec", "sao": "sao", "ciudad": "city",
    "uppsala": "uppsala", "stockholms": "stockholm", "lunds": "lund", "helsingin": "helsinki",
    "mexico": "mexico", "saint": "saint", "st": "saint", "ste": "saint",
}
STOP_WORDS = frozenset(
    {"of", "the", "and", "at", "for", "in", "de", "du", "des", "la", "le", "l", "d", "et",
     "en", "fur", "der", "die", "das", "und", "di", "del", "della", "degli", "dei", "y",
     "van", "voor", "von", "zu", "am", "an", "im", "i", "och", "e", "do", "da", "dos",
     "aux", "au", "a", "on", "zur", "zum", "les", "el", "los", "las", "il",
     "lo", "gli"}
)
HEADS = frozenset(
    {"university", "institute", "center", "hospital", "school", "college", "laboratory",
     "foundation", "academy", "polytechnic", "clinic", "faculty", "campus", "society",
     "council", "observatory", "museum", "agency", "organisation", "organization",
     "consortium", "network", "unit", "institution", "infirmary", "sanatorium"}
)
TYPES = frozenset(
    {"technology", "polytechnic", "free", "catholic", "autonomous", "open", "normal",
     "agricultural", "applied", "medical", "pedagogical", "arts", "music", "economics",
     "business", "state", "veterinary", "higher", "metropolitan", "christian", "protestant",
     "evangelical", "islamic", "pontifical", "royal", "imperial", "federal", "city"}
)
SUBJECTS = frozenset(
    {"medicine", "neuroscience", "neurology", "neurobiology", "neurosurgery", "biology",
     "biomedical", "biomedicine", "brain", "research", "science", "health", "life", "cancer",
     "molecular", "cell", "cellular", "genetics", "genomics", "psychiatry", "psychology",
     "cognitive", "cognition", "physiology", "pharmacology", "chemistry", "biochemistry",
     "physics", "biophysics", "mathematics", "computer", "computing", "engineering",
     "immunology", "microbiology", "virology", "oncology", "cardiology", "surgery",
     "pathology", "anatomy", "pediatrics", "paediatrics", "ophthalmology", "radiology",
     "imaging", "systems", "integrative", "computational", "developmental", "behavior",
     "behaviour", "behavioral", "behavioural", "experimental", "translational", "human",
     "animal", "plant", "structural", "neurodegenerative", "diseases", "disease", "public",
     "environmental", "advanced", "graduate", "general", "central", "regional", "clinical",
     "mind", "mental", "disorders", "stroke", "learning", "memory", "spinal", "cord",
     "epigenetics", "immunobiology", "bioinformatics", "informatics", "statistics",
     "biotechnology", "ecology", "evolution", "evolutionary", "nutrition", "food",
     "agriculture", "environment", "energy", "sleep", "vision", "hearing", "pain",
     "epidemiology", "biostatistics", "sciences", "department", "division", "section",
     "group", "team", "program", "programme", "service", "biologie", "studies",
     "international", "national", "university", "development", "german", "french",
     "european", "swiss", "italian", "spanish", "dutch", "japanese",
     "chinese", "korean", "multidisciplinary", "interdisciplinary", "excellence",
     "intelligence", "biological", "neurological", "biophysical", "psychiatric",
     "neurosciences", "genetic", "medicinal", "pharmaceutical", "specialised", "specialized",
     "children", "childrens", "women", "womens", "heart", "eye", "neuro", "affiliated",
     "teaching", "academic", "main", "new"}
) - HEADS
# Countries (several languages), regions and large cities: they place, they do not name.
PLACES = frozenset(
    """france paris lyon marseille lille bordeaux toulouse montpellier strasbourg grenoble
    nice nantes rennes dijon tours angers caen rouen reims nancy brest orleans limoges
    clermont ferrand besancon poitiers amiens saclay orsay villejuif creteil
    germany deutschland allemagne munich berlin hamburg frankfurt cologne bonn heidelberg
    dresden leipzig gottingen freiburg tubingen mainz magdeburg hanover jena aachen ulm
    wurzburg kiel munster bochum dusseldorf erlangen regensburg martinsried
    uk united kingdom england scotland wales ireland london oxford cambridge edinburgh
    glasgow manchester bristol birmingham leeds dublin cardiff belfast sheffield
    switzerland suisse schweiz zurich geneva lausanne basel bern fribourg
    austria osterreich vienna graz innsbruck salzburg klosterneuburg
    belgium belgique belgie brussels leuven antwerp ghent liege
    netherlands nederland holland amsterdam rotterdam utrecht leiden groningen nijmegen
    maastricht hague delft eindhoven
    sweden sverige stockholm uppsala lund gothenburg umea solna linkoping
    denmark danmark copenhagen aarhus odense norway norge oslo bergen trondheim
    finland helsinki turku tampere iceland reykjavik
    italy italia rome milan naples turin florence venice padua genoa bologna pisa trieste
    pavia siena
    spain espana madrid barcelona valencia seville alicante granada bilbao salamanca
    portugal lisbon porto coimbra braga
    poland polska warsaw krakow wroclaw gdansk poznan lodz
    czech republic czechia prague brno hungary budapest szeged romania bucharest cluj
    greece athens thessaloniki heraklion crete turkey istanbul ankara izmir
    russia moscow israel rehovot jerusalem haifa telaviv tel aviv beersheba
    usa united states america us boston cambridge new york chicago philadelphia baltimore
    seattle houston dallas austin atlanta miami denver pittsburgh stanford berkeley
    angeles francisco diego davis irvine bethesda nashville st louis saint
    california texas massachusetts washington maryland pennsylvania illinois michigan
    ohio florida georgia carolina north south virginia colorado minnesota wisconsin
    oregon utah arizona connecticut iowa indiana tennessee missouri kentucky alabama
    louisiana kansas nebraska oklahoma arkansas mississippi nevada idaho montana wyoming
    dakota alaska hawaii maine vermont hampshire island rhode jersey delaware mexico
    canada montreal toronto vancouver ottawa quebec calgary edmonton
    japan tokyo kyoto osaka nagoya sendai kobe fukuoka sapporo okinawa wako
    china beijing shanghai wuhan nanjing guangzhou shenzhen hangzhou hong kong taiwan taipei
    korea seoul daejeon pohang busan singapore india bangalore delhi mumbai
    australia melbourne sydney brisbane adelaide perth canberra zealand auckland
    brazil brasil sao paulo rio janeiro argentina buenos aires chile santiago
    south africa cape town johannesburg egypt cairo morocco rabat
    """.split()
)
