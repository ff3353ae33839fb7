#!/usr/bin/env python3
"""Hand labels for the stance-classification harness.

Every quote sentence of the five seed articles, labelled by hand according to
/work/shared/ANNOTATION.md (stance toward US military action against Latin
American drug cartels).  This script holds the labels as data, locates every
sentence in seeds/<doc> as UTF-8 *bytes*, computes byte offsets, checks them,
and writes:

    labels/quotes.csv   id,doc,start,end,actor,text,stance
    labels/actors.csv   actor,stance   (actor-level rule of the guide)

Run from the repository root:   python3 scripts/make_labels.py
Standard library only.
"""

import collections
import csv
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "seeds")
LABELS = os.path.join(ROOT, "labels")

D0 = "000_5677ce4ae29b53f7.txt"
D1 = "001_17b4dca5b110db77.txt"
D2 = "002_bff44e9ddde9e345.txt"
D3 = "003_a3af21f984c6ba0f.txt"
D4 = "004_30baea8b2d66a04e.txt"
DOCS = [D0, D1, D2, D3, D4]

STANCES = ("favor", "against", "none")

# (doc, sentence_text, actor, stance[, occurrence_index])
# occurrence_index (0-based) is only needed when the text occurs more than
# once in the same document.  Entries must be in document order.
LABELS_DATA = [
    # ------------------------------------------------------------------ 000
    # Bloomberg: "Trump Rattles Latin America by Weighing Using Military Force"
    (D0, "The New York Times reported Friday that the president ordered the Defense Department to prepare options to take military action against Latin American drug cartels.",
     "donald_trump", "favor"),
    (D0, "But the pending agreement won’t provide legal grounds for direct US military action on Mexican territory, officials have said.",
     "officials", "against"),
    (D0, "“This could call into question the security agreement that was drawn up, which is based on a great deal of trust,” said Victoria Dittmar, a researcher at Insight Crime who specializes in Mexico.",
     "victoria_dittmar", "against"),
    (D0, "Mexico’s foreign ministry said late Friday the security agreement it has been working on is based on the principles of collaboration and respect for sovereignty.",
     "mexico_foreign_ministry", "against"),
    (D0, "“Mexico would not accept the participation of US military forces in our territory,” the Ministry of Foreign Affairs said in a statement, echoing comments by President Claudia Sheinbaum earlier in the day.",
     "mexico_foreign_ministry", "against"),
    (D0, "“Our cooperation is based on the principles of mutual trust, shared responsibility, sovereign equality, respect for territorial integrity, and cooperation without subordination.”",
     "mexico_foreign_ministry", "against"),
    (D0, "Trump, asked about the possibility of using military force Friday at the White House, said he would have “more to say about that soon.”",
     "donald_trump", "none"),
    (D0, "“Latin America has got a lot of cartels.",
     "donald_trump", "favor"),
    (D0, "They’ve got a lot of drugs flowing.",
     "donald_trump", "favor"),
    (D0, "So, you know, we want to protect our country,” Trump said.",
     "donald_trump", "favor"),
    (D0, "Late Friday, in a conciliatory gesture, the US ambassador to Mexico released a statement pledging that the neighboring countries would work together — and not unilaterally — to combat drug traffickers.",
     "us_ambassador_mexico", "against"),
    (D0, "A Pentagon spokesperson declined to comment.",
     "pentagon", "none"),
    (D0, "Secretary of State Marco Rubio visited Central America on his first overseas trip, pushing for concessions on US military use of the Panama Canal.",
     "marco_rubio", "none"),
    (D0, "Officials have also stepped up allegations against Venezuelan President Nicolas Maduro as a drug lord, doubling a reward for information leading to his arrest to $50 million this week.",
     "us_officials", "none"),
    (D0, "‘No Invasion’",
     "claudia_sheinbaum", "against"),
    (D0, "In Mexico, President Sheinbaum responded defiantly to any suggestion that American soldiers would take a combat role in her country.",
     "claudia_sheinbaum", "against"),
    (D0, "Any agreement with the Trump administration must respect the nation’s sovereignty, she reiterated Friday at her daily news conference.",
     "claudia_sheinbaum", "against"),
    (D0, "“The United States is not going to come to Mexico with the military,” she said Friday.",
     "claudia_sheinbaum", "against"),
    (D0, "“We cooperate, we collaborate, but there will be no invasion.",
     "claudia_sheinbaum", "against"),
    (D0, "That is out of the question, absolutely out of the question.",
     "claudia_sheinbaum", "against"),
    (D0, "What has been stated in all the calls is that it is not permitted, nor is it part of any agreement, much less.”",
     "claudia_sheinbaum", "against"),

    # ------------------------------------------------------------------ 001
    # AFP
    (D1, "Donald Trump is planning to deploy military forces against Latin American drug cartels, according to US media reports.",
     "us_media", "none"),
    (D1, "The New York Times reported that Trump has instructed the Pentagon to use military force against these cartels.",
     "donald_trump", "favor"),
    (D1, "The Wall Street Journal noted that the president has requested options, including the use of special forces and intelligence support, with any actions to be coordinated with international partners.",
     "donald_trump", "favor"),
    (D1, "White House spokeswoman Anna Kelly, while not confirming the reports, said in a statement that Trump’s “top priority is protecting the homeland, which is why he took the bold step to designate several cartels and gangs as foreign terrorist organizations.”",
     "anna_kelly", "favor"),
    (D1, "The US embassy in Mexico released a statement later Friday, saying both countries would use “every tool at our disposal to protect our peoples” from drug trafficking groups.",
     "us_embassy_mexico", "none"),
    (D1, "But the Mexican foreign ministry stressed that Mexico “would not accept the participation of US military forces on our territory.”",
     "mexico_foreign_ministry", "against"),
    (D1, "The United States accuses Venezuela’s President Nicolas Maduro of leading that cartel — an allegation Caracas has rejected as a “ridiculous smokescreen.”",
     "venezuela_government", "none"),
    (D1, "Trump signed an executive order on January 20, his first day back in the White House, creating a process for the designation of the cartels, which he said “constitute a national-security threat beyond that posed by traditional organized crime.”",
     "donald_trump", "favor"),
    (D1, "US Secretary of State Marco Rubio said in a Thursday interview with EWTN that the designations allow “us to now target what they’re operating and to use other elements of American power, intelligence agencies, the Department of Defense, whatever — to target these groups.”",
     "marco_rubio", "favor"),
    (D1, "“We have to start treating them as armed terrorist organizations, not simply drug-dealing organizations,” Rubio said.",
     "marco_rubio", "favor"),
    (D1, "“It’s no longer a law enforcement issue.",
     "marco_rubio", "favor"),
    (D1, "It becomes a national security issue.”",
     "marco_rubio", "favor"),
    (D1, "Trump vowed in March to “wage war” on Mexico’s drug cartels, which he accused of rape and murder.",
     "donald_trump", "favor"),
    (D1, "His Mexican counterpart, Claudia Sheinbaum, following the reports of potential US military action against cartels, insisted on Friday that there would be “no invasion” of her country.",
     "claudia_sheinbaum", "against"),
    (D1, "Sheinbaum has made strenuous efforts to show Trump she is acting against Mexico’s cartels, whom he accuses of flooding the United States with drugs, particularly fentanyl.",
     "donald_trump", "none"),
    (D1, "“We are cooperating, we are collaborating, but there will be no invasion.",
     "claudia_sheinbaum", "against"),
    (D1, "That is absolutely ruled out,” she said.",
     "claudia_sheinbaum", "against"),
    (D1, "Colombian president Gustavo Petro announced Friday the start of fresh talks with Clan del Golfo, the country’s largest drug-trafficking gang and the world’s largest producer of cocaine.",
     "gustavo_petro", "none"),
    (D1, "“We have initiated conversations outside Colombia with the self-named Gaitanista Army,” Petro said during an event in Cordoba, about 180 miles (289 kilometers) west of the capital Bogota.",
     "gustavo_petro", "none"),
    (D1, "He did not provide further details on the talks.",
     "gustavo_petro", "none"),
    (D1, "Clan del Golfo considers itself a political group, and demands being recognized as such, in part, to receive judicial treatment similar to that of guerrillas and paramilitary squads.",
     "clan_del_golfo", "none"),
    (D1, "Amid record-high drug cultivation in Colombia — UN estimates say 253,000 hectares (625,000 acres) produce narcotics — the armed forces are carrying out a major offensive in an attempt to bring the drug traffickers under control.",
     "un", "none"),
    (D1, "US President Donald Trump classified Clan del Golfo as a terrorist organization via an executive order soon after starting his second term, and the United Nations has lambasted the drug trafficking group for its violent recruitment of children.",
     "un", "none"),
    (D1, "And media reports on Friday indicated Trump has called for the US military to be ready to target Latin American drug cartels deemed terrorist organizations, including Venezuela’s Tren de Aragua and Mexico’s Sinaloa Cartel.",
     "donald_trump", "favor"),
    (D1, "The month before, Petro accused the United States and “right-wing extremists” of plotting to overthrow him.",
     "gustavo_petro", "none"),

    # ------------------------------------------------------------------ 002
    # Antiwar.com
    (D2, "Mexico Again Rejects the Idea of US Military Intervention Against Cartels",
     "claudia_sheinbaum", "against"),
    (D2, "Mexican President Claudia Sheinbaum on Tuesday again rejected the idea of US military intervention against cartels in Mexico, comments that came a day after President Trump said he was willing to launch strikes on Mexican territory to stem the flow of drugs.",
     "claudia_sheinbaum", "against"),
    (D2, "“It’s not going to happen,” Sheinbaum said, according to The Associated Press.",
     "claudia_sheinbaum", "against"),
    (D2, "“He (Trump) has suggested it on various occasions, or he has said, ‘we offer you a United States military intervention in Mexico, whatever you need to fight the criminal groups.'”",
     "donald_trump", "favor"),
    (D2, "The Mexican leader added that she has told Trump “on every occasion that we can collaborate, that they can help us with information they have, but that we operate in our territory, that we do not accept any intervention by a foreign government.”",
     "claudia_sheinbaum", "against"),
    (D2, "Earlier this month, NBC News reported that the Trump administration had started developing detailed plans to send US troops and intelligence officers into Mexico to target cartels in operations that would include drone strikes.",
     "nbc_news", "none"),
    (D2, "The report said that the administration wanted to coordinate the operations with the Mexican government, but was also considering conducting the campaign without Mexico’s approval, which would constitute a serious violation of the country’s sovereignty.",
     "nbc_news", "none"),
    (D2, "Trump was asked on Monday if he would seek the Mexican government’s permission before launching strikes and said he “wouldn’t answer that question.”",
     "donald_trump", "none"),
    (D2, "He added that he has been “speaking” with Mexico and that they “know how I stand.”",
     "donald_trump", "none"),
    (D2, "US Secretary of War Pete Hegseth announced last week that he was calling the military campaign “Operation Southern Spear,” signaling that it will escalate.",
     "pete_hegseth", "favor"),

    # ------------------------------------------------------------------ 003
    # The Guardian
    (D3, "Mexico’s president, Claudia SheinbaumMexico’s president, Claudia Sheinbaum, has dismissed the possibility of a United States military incursion into her country, following reports that Donald Trump had authorised the use of force against Latin American drug cartels designated as terrorist organisations.",
     "claudia_sheinbaum", "against"),
    (D3, "“The United States is not going to come to Mexico with their military,” Sheinbaum told reporters at her daily press conference on Friday.",
     "claudia_sheinbaum", "against"),
    (D3, "“We cooperate, we collaborate, but there will be no invasion.",
     "claudia_sheinbaum", "against"),
    (D3, "It’s off the table, absolutely off the table.”",
     "claudia_sheinbaum", "against"),
    (D3, "She confirmed her government had been informed of the executive order but stressed it involved no deployment of foreign forces on Mexican soil.",
     "claudia_sheinbaum", "against"),
    (D3, "The foreign ministry later reiterated that it “would not accept the participation of US military forces on our territory” after the US embassy in Mexico issued a statement vowing that both countries would use “every tool at our disposal” to combat drug trafficking.",
     "mexico_foreign_ministry", "against"),
    (D3, "The New York Times first reported on the secret directive, citing sources familiar with the matter, noting it would permit direct military operations overseas and at sea against cartels.",
     "donald_trump", "favor"),
    (D3, "US secretary of state Marco Rubio said the move would allow the government to employ “other elements of American power” including intelligence agencies and the Department of Defence, to strike at trafficking networks.",
     "marco_rubio", "favor"),
    (D3, "“We have to start treating them as armed terrorist organisations, not simply drug-dealing organisations,” Rubio said.",
     "marco_rubio", "favor"),
    (D3, "The White House argued these groups posed “a national security threat beyond that posed by traditional organised crime” through activities including infiltration of foreign governments.",
     "white_house", "favor"),
    (D3, "Jack Riley, former deputy administrator of the Drug Enforcement Administration, welcomed the directive as “the next logical step”, arguing it could bolster training, funding and enforcement efforts overseas.",
     "jack_riley", "favor"),
    (D3, "However, he acknowledged that legal challenges in the US over Trump’s authority to act without congressional approval were likely.",
     "jack_riley", "none"),
    (D3, "In Mexico, security experts warned the move could backfire, undermining rather than dismantling trafficking networks and causing severe damage to bilateral ties.",
     "security_experts", "against"),
    (D3, "Cecilia Farfán-Méndez, of the Global Initiative Against Transnational Organised Crime, said: “It’s not a welcome development, once again there’s been a misdiagnosis of these illicit markets and how we can weaken them.”",
     "cecilia_farfan_mendez", "against"),
    (D3, "The development comes as Mexico negotiates both a tariff deal and a new security agreement with Washington, talks Sheinbaum has described as close to conclusion.",
     "claudia_sheinbaum", "none"),
    (D3, "Farfán-Méndez warned that crossing that “red line” could lead Mexico to halt collaboration altogether.",
     "cecilia_farfan_mendez", "against"),
    (D3, "“It would have very serious consequences,” she said.",
     "cecilia_farfan_mendez", "against"),
    (D3, "“Mexico would ask, ‘what’s the incentive to collaborate with you if you’re going to take unilateral action anyway?’”",
     "cecilia_farfan_mendez", "against"),

    # ------------------------------------------------------------------ 004
    # The Guardian (second version)
    (D4, "Mexico’s president, Claudia Sheinbaum, has rejected the idea that the US might invade Mexico after news reports suggested Donald Trump had authorized the use of military force targeting drug cartels deemed terrorist organizations in Latin American countries.",
     "claudia_sheinbaum", "against"),
    (D4, "“The United States is not going to come to Mexico with their military,” she said during a daily news conference on Friday.",
     "claudia_sheinbaum", "against"),
    (D4, "“We cooperate, we collaborate, but there will be no invasion.",
     "claudia_sheinbaum", "against"),
    (D4, "It’s off the table, absolutely off the table.”",
     "claudia_sheinbaum", "against"),
    (D4, "The Mexican president said her government had been informed of the executive order but insisted that “it had nothing to do with the participation of any military or any institution on our territory.",
     "claudia_sheinbaum", "against"),
    (D4, "There is no risk that they will invade our territory.”",
     "claudia_sheinbaum", "against"),
    (D4, "News of Trump’s secret directive to the Pentagon was first reported by the New York Times, which cited people familiar with the matter, and noted that the order “provides an official basis for the possibility of direct military operations at sea and on foreign soil against cartels”.",
     "donald_trump", "favor"),
    (D4, "The secretary of state, Marco Rubio, said the move would enable the US government to use the military to target trafficking organizations.",
     "marco_rubio", "favor"),
    (D4, "“It allows us to now target what they’re operating and to use other elements of American power, intelligence agencies, the Department of Defense, whatever … to target these groups if we have an opportunity to do it,” Rubio said.",
     "marco_rubio", "favor"),
    (D4, "“We have to start treating them as armed terrorist organizations, not simply drug dealing organizations.“",
     "marco_rubio", "favor"),
    (D4, "At the time, the White House claimed these groups constituted “a national security threat beyond that posed by traditional organized crime” with activities including “infiltration into foreign governments across the Western Hemisphere”.",
     "white_house", "favor"),
    (D4, "Last month, the US treasury department announced it was designating the so-called Cartel de los Soles, or Cartel of the Suns, as a global terrorist group, claiming the Venezuelan president, Nicolás Maduro, was the head of the organization.",
     "us_treasury_department", "none"),
    (D4, "US prosecutors describe the Cartel of the Suns as a government-run drug-trafficking group, but analysts in the region say that it is more of a network of trafficking organizations groups protected by elements within the Venezuelan state.",
     "us_prosecutors", "none"),
    (D4, "On Thursday, the state department and justice department announced that the US was offering a $50m reward for information leading to Maduro’s arrest, claiming he has been a leader of the group “for over a decade” as it has trafficked drugs into the US.",
     "us_state_department", "none"),
]

# Sentence-final punctuation, optionally followed by closing quotation marks.
SENT_END = re.compile("[.?!][\u201d\u2019\u201c'\"]*$")


def fail(msg):
    sys.exit("make_labels.py: " + msg)


def find_all(hay, needle):
    out, i = [], hay.find(needle)
    while i != -1:
        out.append(i)
        i = hay.find(needle, i + 1)
    return out


def actor_stance(stances):
    c = collections.Counter(s for s in stances if s != "none")
    if not c:
        return "none"
    if c["favor"] == c["against"]:
        return "mixed"
    return "favor" if c["favor"] > c["against"] else "against"


def main():
    seeds = {}
    for d in DOCS:
        with open(os.path.join(SEEDS, d), "rb") as fh:
            seeds[d] = fh.read()
        seeds[d].decode("utf-8")  # must be valid UTF-8

    rows = []
    last = {}          # doc -> end byte of previous row
    counter = collections.Counter()
    seen_doc_order = []
    for n, entry in enumerate(LABELS_DATA):
        if len(entry) == 4:
            doc, text, actor, stance = entry
            occ = None
        elif len(entry) == 5:
            doc, text, actor, stance, occ = entry
        else:
            fail("entry %d has %d fields" % (n, len(entry)))
        where = "entry %d (%s: %.50r)" % (n, doc, text)
        if doc not in seeds:
            fail(where + ": unknown doc")
        if seen_doc_order and seen_doc_order[-1] != doc:
            if doc in seen_doc_order:
                fail(where + ": documents not contiguous")
        if not seen_doc_order or seen_doc_order[-1] != doc:
            seen_doc_order.append(doc)
        if stance not in STANCES:
            fail(where + ": bad stance %r" % stance)
        if not actor or actor != actor.lower() or not all(
                c.isascii() and (c.isalnum() or c == "_") for c in actor):
            fail(where + ": bad actor id %r" % actor)
        if text != text.strip() or "\n" in text or "\r" in text:
            fail(where + ": text has surrounding whitespace or a line break")
        needle = text.encode("utf-8")
        hay = seeds[doc]
        hits = find_all(hay, needle)
        if not hits:
            fail(where + ": text not found in seeds/" + doc)
        if occ is None:
            if len(hits) > 1:
                fail(where + ": text occurs %d times; give an occurrence index" % len(hits))
            start = hits[0]
        else:
            if not 0 <= occ < len(hits):
                fail(where + ": occurrence %d out of range (%d hits)" % (occ, len(hits)))
            start = hits[occ]
        end = start + len(needle)
        assert hay[start:end] == needle
        # Whole sentence: starts at line start or after the end of the
        # previous sentence on the same line; ends at line end or with a
        # sentence-final mark (optionally followed by closing quotes).
        line_start = hay.rfind(b"\n", 0, start) + 1
        line_end = hay.find(b"\n", end)
        line_end = len(hay) if line_end == -1 else line_end
        before = hay[line_start:start].decode("utf-8")
        if before and not (before.endswith(" ") and
                           SENT_END.search(before.rstrip())):
            fail(where + ": does not start at a sentence boundary")
        if end != line_end and not (hay[end:end + 1] == b" " and
                                    SENT_END.search(text)):
            fail(where + ": does not end at a sentence boundary")
        if doc in last and start < last[doc]:
            fail(where + ": out of document order or overlapping the previous row")
        last[doc] = end
        counter[doc] += 1
        rid = "%s-%02d" % (doc[:3], counter[doc])
        rows.append((rid, doc, start, end, actor, text, stance))

    if seen_doc_order != DOCS:
        fail("documents must appear in order %r, got %r" % (DOCS, seen_doc_order))
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids))

    os.makedirs(LABELS, exist_ok=True)
    with open(os.path.join(LABELS, "quotes.csv"), "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        w.writerow(["id", "doc", "start", "end", "actor", "text", "stance"])
        for r in rows:
            w.writerow(r)

    by_actor = collections.defaultdict(list)
    for r in rows:
        by_actor[r[4]].append(r[6])
    with open(os.path.join(LABELS, "actors.csv"), "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        w.writerow(["actor", "stance"])
        for a in sorted(by_actor):
            w.writerow([a, actor_stance(by_actor[a])])

    # Re-read and verify what was written.
    with open(os.path.join(LABELS, "quotes.csv"), encoding="utf-8", newline="") as fh:
        back = list(csv.DictReader(fh))
    assert len(back) == len(rows)
    for r in back:
        b = seeds[r["doc"]][int(r["start"]):int(r["end"])]
        assert b.decode("utf-8") == r["text"], r["id"]

    # Summary.
    print("total rows: %d" % len(rows))
    print("rows per doc:")
    for d in DOCS:
        print("  %s  %d" % (d, counter[d]))
    print("rows per stance:")
    sc = collections.Counter(r[6] for r in rows)
    for s in STANCES:
        print("  %-8s %d" % (s, sc[s]))
    print("rows per actor (favor/against/none -> actor-level stance):")
    for a in sorted(by_actor):
        c = collections.Counter(by_actor[a])
        print("  %-24s %3d  (%d/%d/%d) -> %s" % (
            a, len(by_actor[a]), c["favor"], c["against"], c["none"],
            actor_stance(by_actor[a])))


if __name__ == "__main__":
    main()
