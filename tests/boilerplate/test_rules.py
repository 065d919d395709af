from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.boilerplate.rules import _at_most_words, compile_rules, load_rules, parse_rules

RULES = load_rules()


MATCHED = [
    ("scorecardresearch", "tracker"),
    ('<img src="https://sb.scorecardresearch.com/p?c1=2">', "tracker"),
    ("Follow Us :", "share"),
    ("Text Size:", "share"),
    ("Teilen", "share"),
    ("Facebook Twitter WhatsApp", "share"),
    ("Compartir en Facebook", "share"),
    ("Support Our Journalism", "subscribe"),
    ("Jetzt abonnieren", "subscribe"),
    ("Subscribe to our channels on YouTube, Telegram & WhatsApp", "subscribe"),
    ("Sustaining this needs support from wonderful readers like you.", "subscribe"),
    ("Also read: India’s Taliban outreach does little for Afghanistan", "related"),
    ("Lesen Sie auch: Der Stadtrat streitet über den Haushalt", "related"),
    ("Lee también: El Gobierno anuncia nuevas medidas", "related"),
    ("Czytaj także: Sejm przyjął ustawę", "related"),
    ("Le puede interesar: Así quedó la tabla de posiciones tras la fecha 12", "related"),
    ("Puedes ver: Las playas más visitadas del verano", "related"),
    ("Polecamy", "related"),
    ("Read More »", "related"),
    ("Most Popular", "related"),
    ("Das könnte Sie auch interessieren", "related"),
    ("LEAVE A REPLY", "comments"),
    ("Please enter your comment!", "comments"),
    ("Deja un comentario", "comments"),
    ("Your email address will not be published. Required fields are marked *", "comments"),
    ("Diese Website verwendet Cookies, um Ihnen das beste Erlebnis zu bieten.", "cookie"),
    ("Nous utilisons des cookies pour améliorer votre expérience.", "cookie"),
    ("© 2024 City News. All rights reserved.", "footer"),
    (  # a whole footer glued into one line: the notice is found however long the line
        "City News may receive compensation for links to products on this website. " * 8
        + "© Copyright 2020 City News Corporation. All Rights Reserved. Privacy Policy Terms of Service",
        "footer",
    ),
    (  # a consent plugin's paragraph, often in English on a page in another language
        "This website uses cookies to improve your experience while you navigate through the website. "
        + "Out of these cookies, the necessary ones are stored in your browser. " * 6,
        "cookie",
    ),
    ("Alle Rechte vorbehalten", "footer"),
    ("Impressum", "footer"),
    ("Les propos tenus dans cette tribune n'engagent que son auteur.", "footer"),
    ("The views expressed in this column are those of the author.", "footer"),
    ("Ich habe keinen Einfluss auf die Inhalte dieser Seiten und mache sie mir nicht zu eigen.", "footer"),
    ("Forgot your password? Get help", "account"),
    ("%d bloggers like this:", "share"),
    ("Gefällt mir Wird geladen …", "share"),
    ("Click to share on Mastodon (Opens in new window)", "share"),
    ("Klicken zum Ausdrucken (Wird in neuem Fenster geöffnet)", "share"),
    ("Gib hier deinen Kommentar ein …", "comments"),
    ("Benachrichtigung bei weiteren Kommentaren per E-Mail senden.", "comments"),
    ("Connecting to %s", "comments"),
    ("You are commenting using your Mastodon account. ( Log Out / Change )", "comments"),
    ("Klick, um auf Facebook zu teilen (Wird in neuem Fenster geöffnet)", "share"),
    ("Get every new post delivered to your Inbox.", "subscribe"),
    ("Gib deine E-Mail-Adresse ein, um diesem Blog zu folgen und Benachrichtigungen zu erhalten.", "subscribe"),
    ("Zum Inhalt wechseln", "navigation"),
    ("Beitrags-Navigation", "navigation"),
    ("Sie befinden sich hier:", "navigation"),
    ("Blog at WordPress.com.", "footer"),
    ("Do Not Sell My Personal Information", "footer"),
    ("Lesen Sie auch", "related"),
    ("In den Warenkorb", "advertising"),
    ("Ich habe die Datenschutzerklärung gelesen und bin damit einverstanden. *", "account"),
    ("Ich bin mit der Verarbeitung meiner Daten gemäß der Datenschutzerklärung einverstanden.", "account"),
    ("Ich willige ein, dass mich die Musterfirma GmbH per E-Mail über Angebote informiert.", "account"),
    ("By clicking Sign up, you agree to our Terms of Use and Privacy Policy.", "account"),
    ("I have read and accept the privacy policy.", "account"),
    ("He leído y acepto la política de privacidad", "account"),
    ("J'accepte que mes données soient utilisées pour me contacter.", "account"),
    ("Wyrażam zgodę na przetwarzanie moich danych osobowych.", "account"),
    ("Anzeige", "advertising"),
    ("Affiliate disclosure: this guide links to retailers that pay us a fee.", "advertising"),
    ("Dieser Beitrag enthält Affiliate-Links.", "advertising"),
    ("We may earn a commission when you buy through links on our site.", "advertising"),
    ("Sign up to receive our morning briefing in your inbox.", "subscribe"),
    ("Have an opinion on this story? Submit a letter to the editor.", "comments"),
    ("Friday, July 25, 2025", "date"),
    ("3 May, 2022, 11:37 pm", "date"),
    ("Veröffentlicht am 14.05.2014, 15:40 Uhr", "date"),
    ("Veröffentlicht am 3. März 2021", "date"),
    ("Published on March 3, 2021", "date"),
    ("Updated: March 3, 2021 at 9:15 am", "date"),
    ("Publié le 3 mars 2021 à 9h15", "date"),
    ("Pubblicato il 3 Marzo 2021 Ultima modifica 4 Marzo 2021 18:45", "date"),
    ("Publicado em 3 de março de 2021", "date"),
    ("Gepubliceerd op 3 maart 2021", "date"),
    ("Opublikowano 3 marca 2021, 10:15", "date"),
    ("2021-03-03T09:15:00", "date"),
    ("By Jane Doe on March 3, 2021", "date"),
    ("von Lena Berg-Hoffmann am 9. Juni 2023, 08:15 Uhr", "date"),
    ("Posted by Jane at 9:41 PM", "date"),
    ("Eingestellt von Gartenfee um 18:05", "date"),
    ("12.04.2019 um 09:30 Uhr - Lena Berg - 14 Kommentare", "date"),
    ("2. Mai 2020 · von Tobias", "date"),
    ("Peter Maier - 3. März 2021", "date"),
    ("January 13, 2020 at 08:45 AM | categories: Python, Mercurial | View Comments", "date"),
    ("September 15, 2020 byJane Doe Post a Comment", "date"),
    ("March 3, 2021 by Till Lindemann Leave a reply", "date"),  # "till" ends a range only after a dash or a space
    ("3 de maio de 2022 | Do leitor | Opinião", "date"),
    ("Mittwoch, 01. November 2023 - Handel", "date"),
    ("21.01.2022 Presse-Mitteilung", "date"),
    ("HomeOpinionPakistan’s attempt to mobilise anti-Taliban leaders", "navigation"),
    ("Startseite » Politik » Inland", "navigation"),
    ("Start | Ratgeber | Garten | Rasen mähen", "navigation"),
    ("Showing 1–12 of 48 results", "navigation"),
    ("Es werden die Produkte 1 bis 24 von insgesamt 96 angezeigt", "navigation"),
    ("Pingback: Ein Blog über Gärten | 02.04.2019 07:12", "comments"),
    ("Externer Inhalt", "cookie"),
    ("Foto: Christof Stache", "caption"),
    ("dpa / Michael Kappeler", "caption"),
    ("Anna Schmidt (l.) und Peter Maier bei der Eröffnung des Museums.", "caption"),
    ("The mayor (left) greets the new harbour master on Friday.", "caption"),
    ("La alcaldesa (derecha) junto al ministro durante la visita.", "caption"),
    ("V.l.n.r.: Anna Schmidt, Peter Maier und Jana Novak", "caption"),
    ("From left: the three founders in their first workshop", "caption"),
    ("Unterstütze den Lokalanzeiger schon ab 3 €!", "subscribe"),
    ("Unterstütze das Stadtmagazin bereits mit 2,50!", "subscribe"),
    ("Support the Harbour Gazette with just $5 a month", "subscribe"),
    ("Deine Unterstützung hilft, diese Seite werbefrei zu halten.", "subscribe"),
    ("Melden Sie sich an und erhalten Sie exklusive Angebote!", "subscribe"),
    ("Get the latest headlines: download the Valley Post app for iOS and Android.", "subscribe"),
    ("Laden Sie sich jetzt unsere kostenlose Nachrichten-App herunter.", "subscribe"),
    ("Únete a nuestro canal de WhatsApp para recibir las noticias del día.", "subscribe"),
    ("Folgen Sie uns auf Telegram", "subscribe"),
    ("Besuchen Sie unseren Online-Shop!", "advertising"),
    ("Jetzt bestellen", "advertising"),
    ("3. März 2021 | 12 Kommentare", "date"),  # a dateline with its comment count: the metadata step reads its date
    ("This Post Has 7 Comments", "comments"),
    ("Haftungsausschluss", "footer"),
    ("Dieser Artikel erschien zuerst in der Wochenendausgabe.", "footer"),
    ("This article originally appeared in The Conversation.", "footer"),
    ("Son tres los periodos de vacaciones durante el año escolar. Foto: Andina", "caption"),
    ("Die Übertragungszeiten der großen Turniere im Überblick. (Foto: Getty)", "caption"),
    ("Microsoft plans to cut its emissions by 2030 across its supply chain. Mike Blake/Reuters files", "caption"),
    ("Beitragsbild: Titelseite der Zeitung vom 2.4.2019", "caption"),
    ("Das Firmengeflecht der Gruppe. Zum Vergrößern auf das Bild klicken.", "caption"),
    ("Imágenes capturadas de video", "caption"),
    ("Noch mehr Infos für dich", "related"),
    ("Bei diesem Beitrag handelt es sich um eine Pressemitteilung des Vereins.", "footer"),
    ("Immer aktuell informiert über Sparmöglichkeiten und Tipps.", "subscribe"),
    ("Remportez le soin de la marque pour vos yeux", "advertising"),
    ("© 2017 Un Equipo Adelante, San Rafael de Alajuela. " + "Todos los derechos del sitio " * 12, "footer"),
    # Dutch, Italian and Portuguese furniture
    ("Ga naar de inhoud", "navigation"),
    ("Je bent hier: Nieuws", "navigation"),
    ("Torna su", "navigation"),
    ("Voltar ao topo", "navigation"),
    ("Deel dit artikel", "share"),
    ("Seguici su Instagram", "share"),
    ("Siga-nos", "share"),
    ("Lees ook: Kabinet valt over stikstof", "related"),
    ("Articoli correlati", "related"),
    ("Saiba Mais", "related"),
    ("Últimas Notícias", "related"),
    ("Laat een reactie achter", "comments"),
    ("Lascia un commento", "comments"),
    ("Deixe uma resposta", "comments"),
    ("Il tuo indirizzo email non sarà pubblicato.", "comments"),
    ("Meld je aan voor onze nieuwsbrief", "subscribe"),
    ("Iscriviti alla newsletter", "subscribe"),
    ("Assine a nossa newsletter", "subscribe"),
    ("Wij gebruiken cookies om je ervaring op onze website te verbeteren.", "cookie"),
    ("Questo sito utilizza cookie tecnici e di profilazione.", "cookie"),
    ("Este site utiliza cookies para melhorar a sua experiência.", "cookie"),
    ("Alle rechten voorbehouden", "footer"),
    ("Política de Privacidade", "footer"),
    ("Wachtwoord vergeten?", "account"),
    ("Advertentie", "advertising"),
    # the heading of a blog's comment list, in any language, and related-list headers ending in an ellipsis
    ("11 responses to “The Loneliest Woman in the World”", "comments"),
    ("3 Gedanken zu „Folge 70: Star Trek: Picard“", "comments"),
    ("One thought on “Python 3: simple HTTP Request with the Socket module”", "comments"),
    ("Una risposta a «Il ponte sullo Stretto»", "comments"),
    ("View Comments", "comments"),
    ("Das könnte Dich auch interessieren …", "related"),
    ("Related Coverage", "related"),
    ("Über den Autor", "author"),
    ("Zeige alle Beiträge von Creeny »", "author"),
    ("View all posts by Jane Doe", "author"),
    ("Über den Autor/ die Autorin", "author"),
    ("Zu den AutorInnen:", "author"),
    ("Artykuły tego autora", "author"),
    ("Post author By Helge Fahrnberger", "author"),
    ("Suche nach:", "navigation"),
    ("Wonach suchen Sie?", "navigation"),
    ("twittern  0", "share"),
    ("Registriere dich jetzt kostenlos", "account"),
    ("Zustimmen und Inhalt laden", "cookie"),
    ("↓ Zu den Kommentaren", "comments"),
    # the liability notice for links, glued into a paragraph far longer than a "~" rule reads
    (
        "Auf diesem Blog gibt es Links zu fremden Webseiten. " * 20
        + "Ich habe keinen Einfluss auf die Inhalte dieser Seiten.",
        "footer",
    ),
    ("We are not responsible for the content of external websites.", "footer"),
    ("Publicado hace 3 horas", "date"),
    ("vor 2 Tagen", "date"),
    ("5 minutes ago", "date"),
    ("8. April 2019 @ 17:34", "date"),
    ("postado em 04/05/2022 05:49", "date"),
    ("Ir al inicio e identificarse", "navigation"),
    ("Reciba noticias de EL TIEMPO desde GoogleNews", "subscribe"),
    ("¿Por qué suscribirme?", "subscribe"),
    ("Poniżej dalsza część artykułu", "advertising"),
    ("Weiter nach der Anzeige", "advertising"),
    ("przeczytanie zajmie 4 min", "share"),
    ("Texte de votre message", "comments"),
    # a site's offer of help to its visitors
    ("Können wir helfen?", "footer"),
    ("How can we help you?", "footer"),
    ("¿En qué podemos ayudarte?", "footer"),
    # a link to more of the site's articles on a topic or by an author
    ("Mehr zu Klima und Konsum", "related"),
    ("Alle Nachrichten zum Naturschutz in Bayern", "related"),
    ("mehr von Daniel Weinmann auf reitschuster.de", "related"),
    ("More about the elder scrolls", "related"),
    ("Tous les articles Santé", "related"),
    # a post's categories and tags, and the line blog themes write under a post
    ("Tags: Haute Couture, Paris, Serkan Cura, SS14", "navigation"),
    ("Schlagwörter: Alltag, Religionen, Sri Lanka, und Tiere.", "navigation"),
    ("Tags : Santé, alimentation, Ventre plat, conseils", "navigation"),
    ("Veröffentlicht in: Originalbeitrag", "navigation"),
    ("Abgelegt unter: Geknipstes, Wetter", "navigation"),
    ("Posted in FOSS, Überwachung, Wem gehört das Netz", "navigation"),
    ("Filed under: Alltagsgeplauder, Schreibbericht — jancak @ 00:11", "navigation"),
    ("This entry was posted in Dienstleitungen. Bookmark the permalink.", "navigation"),
    ("Erstellt am Dienstag 6. Mai 2014 um 23:30 und abgelegt unter debianforum, Linux, Ubuntu.", "navigation"),
    (
        "Der Beitrag wurde am Mittwoch, den 27. November 2019 um 15:21 Uhr veröffentlicht und wurde unter Allgemein, "
        "Tastings abgelegt. Du kannst die Kommentare zu diesen Eintrag durch den RSS 2.0 Feed verfolgen.",
        "navigation",
    ),
]


@pytest.mark.parametrize(("line", "category"), MATCHED)
def test_boilerplate_lines_are_matched_with_their_category(line: str, category: str):
    assert RULES.match(line) == category


UNMATCHED = [
    "Worsening bilateral ties",
    "Kampagne März-April 2021",
    "2 décembre 2019 : Reportage du journal de 13 heures sur la grève des cheminots",
    "Home is where the heart is, the old saying goes, and for refugees it is nowhere.",
    "The council will share its findings with the public next week.",
    "Die Bäckerei verwendet nur Mehl aus der Region und verzichtet auf Zusatzstoffe.",
    "He said the cookies were baked by volunteers and sold to raise money for the school.",
    "Pakistan’s New Pressure Tactics",
    "Ultimately, Zalmay Khalilzad’s latest anti-Pakistan tirade is a transparent attempt to deflect blame.",
    "Los comentarios del ministro provocaron una fuerte reacción en el Congreso.",
    "Puedes ver la exposición hasta el domingo en el museo municipal.",
    "Polecamy tę książkę każdemu, kto interesuje się historią.",
    "The company said it would earn a commission of 3 percent on every sale through its platform.",
    "She decided to sign up for the marathon after her doctor encouraged her to keep running.",
    "The views expressed at the hearing were sharply divided between the two parties.",
    "Die Regierung hat keinen Einfluss auf die Entscheidungen der unabhängigen Zentralbank.",
    # a long paragraph saying it is no liability notice
    "Der Sprecher des Verlags sagte am Montag vor dem Ausschuss, man prüfe jede Beschwerde sorgfältig. " * 8
    + "Wir haben keinen Einfluss auf die Inhalte, die unsere Leser im Forum schreiben, sagte er.",
    # a spokesman quoted in a long news paragraph: "the pages" here are no linked ones
    "Der Konzern äußerte sich am Abend zu den Vorwürfen der Behörde und kündigte eine Prüfung an. " * 6
    + "Wir haben keinen Einfluss auf die Inhalte der Seiten, auf denen die Videos landen, sagte ein Sprecher von Meta.",
    "Your Name",
    "Post author Jane Doe wrote about the strike for three weeks.",
    "Was suchen Sie in einer Stadt, die Sie nicht kennen? Meist einen Bäcker.",
    "Vor 3 Tagen hat der Stadtrat den Haushalt beschlossen.",
    "Hace 3 horas el gobierno anunció nuevas medidas contra la inflación.",
    "The article continues a series on the city's budget.",
    "From left-wing parties came the loudest protest against the budget.",
    "Wer eine(r) von ihnen ist, entscheidet das Los.",
    # a sentence asking how to help
    "Wie können wir helfen, dass die Kinder in der Schule besser lernen?",
    # a sentence that opens as such a link does
    "Mehr zu tun gibt es für die Pflegekräfte nach der Reform im kommenden Winter ohnehin.",
    "Alle Artikel wurden vor der Veröffentlichung von zwei Gutachtern geprüft.",
    # a product's, an award's or an event's own fields; a sentence about publishing or filing
    "Kategorie: Kinder- & Jugendbuch",
    "Thema: Irish Whiskey Dinner mit 3-Gang Menü",
    "Veröffentlicht in der Zeitschrift Nature wurde die Studie im März.",
    "Posted in 1998, the letter reached the ministry a week later.",
    "Die Dateien werden gepackt und unter /var/backups abgelegt.",
    "Die Akten wurden im Keller abgelegt und vergessen.",
    # content lines that open as a post's furniture does (found by a review of the rules; each was matched once)
    "Posted in Afghanistan for three years, he learned to speak Dari fluently.",
    "Filed under seal, the documents were released only after the trial.",
    "Abgelegt unter dem Aktenzeichen 4 K 123/19 wurde die Klage im Mai.",
    "Archivado en el Archivo General de Indias, el documento fue redescubierto en 1980.",
    "Tag: Samstag, 12. Mai 2024",
    "Categorie: Kinderboeken",
    "Veröffentlicht in: Zeitschrift für Soziologie 48 (2019), S. 12–30.",
    "Publicado en: Revista Española de Cardiología, 2019; 72(3): 201-210.",
    "The complaint names the city as defendant and is filed under case number 2:19-cv-01234.",
    "Die Datei wird automatisch erzeugt und abgelegt unter /var/log/app.",
    "Dieser Beitrag wurde in Zusammenarbeit mit der Stiftung Warentest erstellt.",
    'In his diary, this entry was posted on the day the war ended: "We are free."',
    # short sentences that open as a link to more articles does (rules see a line without its final stop)
    "All articles are peer-reviewed.",
    "Todas las noticias son falsas.",
    "Tous les articles sont gratuits.",
    "Wszystkie artykuły są bezpłatne.",
    "Mehr zu Fuß gehen, weniger Auto fahren",
    "More about this later.",
    "Meer over dit onderwerp volgt later.",
    "On 3 March 2021 the council published its budget for the coming year.",
    "Start the engine and wait for the light to turn green.",
    "By the time we arrived on March 3, 2021 the shop had closed.",
    "By Jane Doe",
    "He showed me the photo: a dog in the snow.",
    "Er zeigte das Bild: ein Hund im Schnee.",
    "Gewinnen Sie einen Eindruck davon, wie die Stadt früher aussah.",
    "© Nordex Hamburg (iwr-pressedienst) - Die vermehrte Stromerzeugung aus erneuerbaren Energien hat einen "
    "erheblichen Einfluss auf das Netz. Windenergieanlagen müssen daher im Netzbetrieb zunehmend stabilisierende "
    "Aufgaben übernehmen, die bisher konventionelle Kraftwerke erfüllt haben. Das Institut prüft das jetzt.",
    # an image credit, then prose
    "Like loading a dishwasher, packing a suitcase takes practice.",
    "Click to print your ticket.",
    "Zum Inhalt",
    "Du kommentierst mit deinem Nachbarn das Spiel.",
    "Klick, um die Welt zu retten, reicht nicht.",
    "Ich bin mit dem Ergebnis der Verhandlungen einverstanden, sagte die Ministerin.",
    "Ich habe die Nacht im Zelt verbracht und bin am Morgen weitergewandert.",
    "I agree with the mayor that the bridge must be repaired before winter.",
    "By clicking through the archive, readers can follow the story from its beginning.",
    "The cinema was showing 3 to 4 of the 10 nominated films every night.",
    "Il 3 marzo 2021 il governo ha approvato il decreto.",
    "Veröffentlicht am 3. März 2021 wurde der Bericht sofort zum Bestseller.",
    # a timeline's entries, ranges and short sentences that open with a date
    "12. Mai 2021 wurde das Gesetz im Bundestag nach langem Streit endlich beschlossen.",
    "3. März 2021 wurde der Bericht zum Bestseller.",
    "3. März 2021 wurde gewählt.",
    "March 3, 2021 marks ten years.",
    "January 20, 2021 Biden inaugurated",
    "2020-03-11 WHO declares pandemic",
    "12. Mai 2021 Gesetz beschlossen",
    "2 décembre 2019 : Reportage JT 13 heures de France 2",
    "2 décembre 2019 - Reportage: JT 13 heures de France 2",
    "11 de marzo de 2020 – La OMS declara la pandemia",
    "3 mars 2021 - Le gouvernement annonce un confinement",
    "May 5, 2024 - Annual General Meeting, London",
    "März 2015 bis März 2016: 60 Milliarden Euro",
    "März 2015 – März 2016: 60 Milliarden Euro",
    "September 2016 – Juli 2018 Masterstudium Informatik, TU München",
    "Juli 2019 – heute: Projektleitung bei Siemens",
    "January 2020 thru March 2020",
    "On March 3, 2021 the council met.",
    "Der Verein unterstützt Familien mit 200 Euro im Monat.",
    "Lawmakers voted to support the bill with 52 votes in favour.",
    "Die Fraktion will den Antrag mit 40 Stimmen unterstützen.",
    "Die Nachricht erreichte 40.000 Leser und mehr als 300 Kommentare.",
    "She wanted to order now, before the price went up again.",
    "Viele Nutzer laden die App herunter und löschen sie nach einer Woche.",
    "The ministry said the channel on Telegram had been used to spread false reports.",
    "Der Artikel 5 des Grundgesetzes schützt die Pressefreiheit.",
    "A response to the pandemic",  # a heading: a comment list's names the post in quotation marks
    "Eine Antwort auf die Klimakrise",
    "Lees ook de reacties van de ministers op het rapport van de commissie.",
    "Il sindaco ha detto che la città deve accettare la proposta del governo.",
    "O governo vai assinar o acordo na próxima semana, disse o ministro.",
    "",
]


@pytest.mark.parametrize("line", UNMATCHED)
def test_article_lines_are_not_matched(line: str):
    assert RULES.match(line) is None


def test_contains_rules_skip_long_lines():
    sentence = "He said we use cookies " + "and the article goes on about baking and recipes " * 10
    assert RULES.match(sentence) is None
    rights = "The band kept all rights reserved to itself, " + "and the article goes on about the record deal " * 10
    assert RULES.match(rights) is None  # a reservation of rights without a copyright notice is not a footer


def test_anywhere_rules_are_searched_in_lines_of_any_length(tmp_path: Path):
    (tmp_path / "notice.txt").write_text("* (?:©|copyright) (?:19|20)\\d\\d acme\n~ acme\n", encoding="utf-8")
    rules = load_rules(tmp_path, max_contains_words=5)
    long_line = "one two three four five six seven © 2021 Acme"
    assert rules.match(long_line) == "notice" and rules.match_lines([long_line])(long_line) == "notice"
    assert rules.anywhere_literals == (" acme",)  # only lines holding it are searched
    assert rules.match("one two three four five six seven acme") is None  # the "~" rule stops at 5 words


def test_rule_files_are_checked(tmp_path: Path):
    with pytest.raises(ValueError, match=r"bad\.txt:2"):
        parse_rules("# comment\n? no marker\n", "bad.txt")
    with pytest.raises(ValueError, match="bad regex"):
        parse_rules("= (unclosed\n", "bad.txt")
    (tmp_path / "custom.txt").write_text("= buy now\n", encoding="utf-8")
    assert load_rules(tmp_path).match("Buy now!") == "custom"


def test_fragments_are_defined_once_and_used_by_name_in_the_rules_below():
    text = "@day = mon|tue\n@when = (?:{day}) \\d{1,2}\n= closed {when}\n^ open {day}\n"
    assert parse_rules(text, "shop.txt")["line"] == [r"closed (?:(?:(?:mon|tue)) \d{1,2})"]
    rules = compile_rules({"shop": parse_rules(text, "shop.txt")})
    assert rules.match("Closed tue 12") == "shop" and rules.match("Open mon to fri") == "shop"
    assert rules.match("Closed wed 12") is None
    with pytest.raises(ValueError, match=r"shop\.txt:1: no fragment @day is defined above this line"):
        parse_rules("= closed {day}\n@day = mon\n", "shop.txt")
    with pytest.raises(ValueError, match=r"shop\.txt:1: a fragment reads '@name = regex'"):
        parse_rules("@Day: mon\n", "shop.txt")
    with pytest.raises(ValueError, match=r"shop\.txt:1: bad regex"):
        parse_rules("@day = (mon\n", "shop.txt")


def test_contains_regexes_searched_by_their_literals_find_what_the_whole_alternation_finds():
    rules = compile_rules(
        {
            "a": {"line": [], "prefix": [], "contains": [r"(?:read|lies) (?:more|weiter)\b", r"\bx+y"]},
            "b": {"line": [], "prefix": [], "contains": [r"more \w+ here", r"[0-9]+ comments?"]},
        }
    )
    assert rules.contains_literals is not None  # the literals index is in use
    lines = [
        "read more here, 12 comments",  # two categories: the leftmost match wins ("read more" at 0)
        "see 3 comments and read more",  # "3 comments" comes first
        "lies weiter",
        "more words here",
        "xxxy and nothing else",
        "nothing at all",
        "",
    ]
    for line in lines:
        whole = rules.contains.search(line) if rules.contains is not None else None
        assert rules._contains_category(line) == (whole.lastgroup if whole else None), line
    assert [rules._contains_category(line) for line in lines] == ["a", "b", "a", "b", "a", None, None]


def test_lines_matched_at_once_get_what_each_gets_alone():
    lines = [
        *(line for line, _ in MATCHED),
        *UNMATCHED,
        "Foto: dpa / Max Mustermann",  # a caption: its regex gated by "/"
        "Stand: 12.03.2024, 14:05 Uhr",  # a dateline: gated by a digit
        "By Jane Doe | 𝟏𝟐.𝟎𝟑.𝟐𝟎𝟐𝟒",  # mathematical digits lie beyond the gates' table: asked of the line itself
        "Read more here | AFP 😀",
        "x" * 130 + " cookies",  # too long for the whole-line rules
        "   ",
        "Impressum",
        "Impressum",  # a line twice
    ]
    fresh = load_rules()
    verdict = fresh.match_lines(lines)
    expected = [RULES._match(line) for line in lines]
    assert [verdict(line) for line in lines] == expected
    assert [fresh.match_lines(lines)(line) for line in lines] == expected  # remembered: the same again
    assert any(category is not None for category in expected)


def test_remembered_verdicts_are_forgotten_when_full_but_never_those_of_the_batch(monkeypatch):
    monkeypatch.setattr("cleaner.boilerplate.rules.KNOWN_LINES", 4)
    fresh = load_rules()
    first = ["Impressum", "Teilen", "An article line that matches nothing at all."]
    assert [fresh.match_lines(first)(line) for line in first] == ["footer", "share", None]
    second = ["Impressum", "Read More »", "Polecamy"]  # one known, two new: over the limit
    assert [fresh.match_lines(second)(line) for line in second] == ["footer", "related", "related"]
    assert len(fresh._known) <= 4


def test_regexes_tried_by_their_literals_and_classes_find_what_the_whole_alternation_finds():
    rules = compile_rules(
        {
            "a": {
                "line": [r"\d+ comments?", r"(?:photo|foto):? .+", r"[\w.]+ / (?:dpa|afp)"],
                "prefix": [r"mehr zum thema\b", r"(?:©|\(c\))\s*\d{4}"],
                "contains": [],
            },
            "b": {"line": [r"\d{1,2}\.\d{1,2}\.\d{4}", r"\w+ comments"], "prefix": [r"\w+ / dpa"], "contains": []},
        }
    )
    assert rules.line_index is not None and rules.line_index.gates  # some regexes have no literal: gated by a class
    keys = [
        "12 comments",
        "many comments",
        "12.03.2024",
        "foto: max",
        "x.y / dpa",
        "nothing",
        "",
        "3 comments and more",
    ]
    whole = [m.lastgroup if (m := rules.line.fullmatch(key)) else None for key in keys]  # type: ignore[union-attr]
    assert whole == ["a", "b", "b", "a", "a", None, None, None]
    assert rules.line_index.categories(keys, "fullmatch") == whole
    # Prefix rules ignore case as the regex engine does: "ſ" (long s) is an "s", the Kelvin sign a "k".
    lines = ["Mehr zum Thema: Wahlen", "MEHR ZUM THEMA", "Mehr zum Themaſ", "mehr zum thema", "(C) 2024 Verlag",
             "Foto / DPA", "Thema mehr", "Mehr zum \u212aino"]  # fmt: skip
    whole = [m.lastgroup if (m := rules.prefix.match(line)) else None for line in lines]  # type: ignore[union-attr]
    assert whole == ["a", "a", None, "a", "a", "b", None, None]
    assert rules.prefix_index is not None and rules.prefix_index.categories(lines, "match") == whole


def test_a_line_is_split_only_when_it_could_hold_more_words_than_allowed():
    """The shortcut of the batch path ("anywhere" phrases only in lines of at most max_contains_words words) says
    what splitting the line says, at the limit too."""
    lines = ["", "a", "a " * 60, "a " * 61, " a" * 61, "a\tb " * 31, " ".join(["ab"] * 61), "a" * 200, "x\u00a0y " * 40]
    for line in lines:
        for most in (0, 1, 2, 60, 61):
            assert _at_most_words(line, most) == (len(line.split()) <= most), (line, most)
