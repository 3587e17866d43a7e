"""German synonyms for continuing-education searches, in Meilisearch's synonym-settings format."""


def _mutual(*groups: tuple[str, ...]) -> dict[str, list[str]]:
    """Each term of a group maps to all the others; a term in several groups gets their union."""
    table: dict[str, list[str]] = {}
    for group in groups:
        terms = [t.strip().lower() for t in group]
        for term in terms:
            known = table.setdefault(term, [])
            known.extend(t for t in terms if t != term and t not in known)
    return table


# Terms avoid the index's stop words ("für", "und", "im" ...): a multi-word synonym that
# contains one can never match, because Meilisearch drops that word from the query.
SYNONYMS: dict[str, list[str]] = _mutual(
    # Logistik und Verkehr
    (
        "stapler",
        "gabelstapler",
        "staplerschein",
        "gabelstaplerschein",
        "flurförderzeug",
        "flurförderzeuge",
        "staplerfahrer",
    ),
    ("lager", "lagerlogistik", "lagerist", "fachlagerist", "fachlageristin", "lagerhelfer"),
    ("lkw", "lastkraftwagen", "berufskraftfahrer", "berufskraftfahrerin", "bkf"),
    ("modul 95", "schlüsselzahl 95", "bkf-weiterbildung"),
    ("busfahrer", "busfahrerin", "omnibusfahrer"),
    ("kranführer", "kranfahrer", "kranschein"),
    ("hubarbeitsbühne", "hebebühne", "arbeitsbühne"),
    ("gefahrgut", "adr", "gefahrgutbeauftragter"),
    # Pflege und Gesundheit
    (
        "pflegekraft",
        "pflegefachkraft",
        "pflegefachfrau",
        "pflegefachmann",
        "altenpfleger",
        "krankenpfleger",
    ),
    ("altenpfleger", "altenpflegerin", "altenpflege"),
    ("krankenpfleger", "krankenpflegerin", "krankenschwester", "krankenpflege"),
    # Queries are not split into compound parts (index_settings.py): compounds people type
    # for what the catalogue names otherwise are listed here.
    (
        "pflegehelfer",
        "pflegehelferin",
        "pflegeassistenz",
        "pflegeassistent",
        "pflegehilfe",
        "pflegehilfskraft",
    ),
    ("betreuungskraft", "betreuungsassistent", "alltagsbegleiter", "alltagsbegleitung"),
    ("erste hilfe", "ersthelfer", "ersthelferin", "erste-hilfe-kurs"),
    ("mfa", "medizinische fachangestellte", "arzthelferin", "arzthelfer"),
    ("zfa", "zahnmedizinische fachangestellte", "zahnarzthelferin"),
    # Kaufmännisches, Buchhaltung
    ("buchhaltung", "finanzbuchhaltung", "buchführung", "fibu", "finanzbuchführung"),
    ("buchhalter", "buchhalterin", "finanzbuchhalter", "finanzbuchhalterin"),
    ("bilanzbuchhalter", "bilanzbuchhalterin", "bibu"),
    ("lohnbuchhaltung", "lohnabrechnung", "gehaltsabrechnung", "entgeltabrechnung"),
    ("steuerfachangestellte", "steuerfachangestellter", "stfa"),
    ("büro", "büromanagement", "bürokauffrau", "bürokaufmann", "bürokraft"),
    ("kaufmann", "kauffrau", "kaufleute"),
    ("einzelhandel", "verkauf", "verkäufer", "verkäuferin"),
    ("sap", "sap-anwender", "sap-schulung"),
    ("excel", "tabellenkalkulation", "ms excel"),
    ("office", "ms office", "microsoft office"),
    ("word", "textverarbeitung"),
    ("ausbilderschein", "aevo", "ausbildereignung", "ada-schein"),
    # IT und Digitales
    ("it", "informatik", "edv"),
    ("computerkurs", "pc-kurs", "edv-kurs"),
    ("fachinformatiker", "fachinformatikerin"),
    ("fisi", "fachinformatiker systemintegration"),
    ("fiae", "fachinformatiker anwendungsentwicklung"),
    (
        "programmieren",
        "programmierung",
        "softwareentwicklung",
        "coding",
        "programmierer",
        "softwareentwickler",
    ),
    ("webentwicklung", "webdesign", "webentwickler"),
    ("ki", "künstliche intelligenz", "ai"),
    ("it-sicherheit", "cybersecurity", "informationssicherheit"),
    ("datenanalyse", "data analytics", "data science"),
    ("online-marketing", "onlinemarketing", "digitales marketing", "digital marketing"),
    ("seo", "suchmaschinenoptimierung"),
    ("mediengestalter", "mediengestalterin", "grafikdesign"),
    # Lernform
    ("online", "digital", "e-learning"),
    ("webinar", "online-seminar", "virtuelles klassenzimmer"),
    ("fernlehrgang", "fernkurs", "fernunterricht"),
    ("teilzeit", "berufsbegleitend", "nebenberuflich"),
    ("abendkurs", "abendschule", "abends"),
    ("barrierefrei", "rollstuhlgerecht", "barrierefreiheit"),
    # Sprache und Integration
    ("daf", "deutsch als fremdsprache"),
    ("daz", "deutsch als zweitsprache"),
    ("deutschkurs", "deutsch lernen", "deutschunterricht", "deutsch"),
    ("integrationskurs", "orientierungskurs"),
    ("berufssprachkurs", "deufö", "berufsbezogene sprachförderung"),
    ("englisch", "english", "business english", "wirtschaftsenglisch"),
    ("alphabetisierung", "alpha-kurs", "grundbildung"),
    ("anerkennung", "anerkennungsberatung", "berufsanerkennung"),
    # Technik, Handwerk, Bau
    ("schweißer", "schweißerin", "schweißen", "schweißkurs", "schweisser", "schweissen"),
    ("elektriker", "elektrikerin", "elektroniker", "elektronikerin", "elektrofachkraft"),
    ("cnc", "cnc-technik", "cnc-programmierung"),
    ("zerspanungsmechaniker", "zerspanungsmechanikerin", "zerspaner"),
    ("kfz", "kraftfahrzeug", "auto"),
    ("kfz-mechatroniker", "kfz-mechaniker", "automechaniker"),
    (
        "meister",
        "meisterin",
        "meisterkurs",
        "meisterschule",
        "meisterprüfung",
        "meistervorbereitung",
    ),
    ("industriemeister", "industriemeisterin"),
    ("fachwirt", "fachwirtin"),
    ("hausmeister", "hausmeisterin", "haustechniker", "hauswart", "facility management"),
    ("photovoltaik", "pv", "solaranlage", "solartechnik"),
    ("wärmepumpe", "wärmepumpentechnik"),
    ("energieberater", "energieberatung", "gebäudeenergieberater"),
    ("sicherheitsdienst", "34a", "bewachung", "wachschutz", "security"),
    ("arbeitssicherheit", "arbeitsschutz", "sifa"),
    ("qualitätsmanagement", "qm", "iso 9001"),
    ("projektmanagement", "projektleitung"),
    ("scrum", "agiles projektmanagement", "agile methoden"),
    ("führungskraft", "führungskräfte", "leadership", "personalführung", "teamleitung"),
    # Soziales und Pädagogik
    ("kita", "kindertagesstätte", "kindergarten"),
    ("erzieher", "erzieherin", "pädagogische fachkraft"),
    ("tagesmutter", "tagesvater", "kindertagespflege"),
    ("schulbegleitung", "schulbegleiter", "integrationshelfer", "integrationshilfe"),
    # Gastronomie
    ("gastronomie", "gastgewerbe", "gastro"),
    ("koch", "köchin", "jungkoch"),
    ("hygieneschulung", "infektionsschutzbelehrung", "rote karte"),
    # Abschlüsse und Wege
    ("umschulung", "berufsabschluss", "umschüler"),
    ("teilqualifizierung", "tq", "teilqualifikation"),
    ("hauptschulabschluss", "erster schulabschluss", "ersa"),
    ("mittlerer schulabschluss", "fachoberschulreife", "realschulabschluss"),
    ("abitur", "allgemeine hochschulreife", "abi"),
    ("schulabschluss nachholen", "abschluss nachholen", "zweiter bildungsweg"),
    ("bewerbung", "bewerbungstraining", "bewerbungscoaching", "bewerbungsmappe"),
    ("wiedereinstieg", "berufsrückkehr", "wiedereinsteigerin", "berufsrückkehrerin"),
    # Förderung
    ("bildungsgutschein", "bgs", "bildungs-gutschein"),
    ("avgs", "aktivierungsgutschein", "vermittlungsgutschein"),
    ("aufstiegs-bafög", "aufstiegsbafög", "meister-bafög", "meisterbafög"),
    ("bildungsscheck", "bildungsscheck nrw", "weiterbildungsscheck"),
    ("qcg", "qualifizierungschancengesetz"),
)
