//! Countries and their demonyms, for country-scoped bodies.
//!
//! Used by the speaker finder to turn a generic body ("the foreign ministry",
//! "the defense ministry") into the body of the country named with it
//! ("Colombia's foreign ministry" → `colombia_foreign_ministry`), and to find
//! an article's dominant country for a bare mention.

use super::tokens::Token;

/// (name tokens, one-word demonym or "", id prefix). Names are normalised
/// token sequences.
const COUNTRIES: &[(&[&str], &str, &str)] = &[
    (&["mexico"], "mexican", "mexico"),
    (&["colombia"], "colombian", "colombia"),
    (&["venezuela"], "venezuelan", "venezuela"),
    (&["ecuador"], "ecuadorian", "ecuador"),
    (&["peru"], "peruvian", "peru"),
    (&["brazil"], "brazilian", "brazil"),
    (&["argentina"], "argentine", "argentina"),
    (&["chile"], "chilean", "chile"),
    (&["bolivia"], "bolivian", "bolivia"),
    (&["paraguay"], "paraguayan", "paraguay"),
    (&["uruguay"], "uruguayan", "uruguay"),
    (&["cuba"], "cuban", "cuba"),
    (&["panama"], "panamanian", "panama"),
    (&["honduras"], "honduran", "honduras"),
    (&["guatemala"], "guatemalan", "guatemala"),
    (&["el", "salvador"], "salvadoran", "el_salvador"),
    (&["nicaragua"], "nicaraguan", "nicaragua"),
    (&["costa", "rica"], "", "costa_rica"),
    (&["dominican", "republic"], "", "dominican_republic"),
    (&["haiti"], "haitian", "haiti"),
    (&["jamaica"], "jamaican", "jamaica"),
    (&["guyana"], "guyanese", "guyana"),
    (&["trinidad"], "trinidadian", "trinidad_and_tobago"),
    (&["canada"], "canadian", "canada"),
    (&["china"], "chinese", "china"),
    (&["russia"], "russian", "russia"),
    (&["iran"], "iranian", "iran"),
    (&["israel"], "israeli", "israel"),
    (&["ukraine"], "ukrainian", "ukraine"),
    (&["france"], "french", "france"),
    (&["germany"], "german", "germany"),
    (&["spain"], "spanish", "spain"),
    (&["britain"], "british", "uk"),
    (&["japan"], "japanese", "japan"),
    (&["czech", "republic"], "czech", "czech"),
    (&["czechia"], "czech", "czech"),
    (&["poland"], "polish", "poland"),
    (&["hungary"], "hungarian", "hungary"),
    (&["italy"], "italian", "italy"),
    (&["portugal"], "portuguese", "portugal"),
    (&["greece"], "greek", "greece"),
    (&["netherlands"], "dutch", "netherlands"),
    (&["sweden"], "swedish", "sweden"),
    (&["norway"], "norwegian", "norway"),
    (&["turkey"], "turkish", "turkey"),
    (&["india"], "indian", "india"),
    (&["united", "states"], "american", "us"),
    (&["us"], "american", "us"),
];

/// The country named by a capitalised name or demonym ending at token
/// `end` (exclusive), with the number of tokens it covers.
pub(crate) fn country_ending_at(tokens: &[Token], end: usize) -> Option<(&'static str, usize)> {
    for &(name, demonym, id) in COUNTRIES {
        let n = name.len();
        if end >= n {
            let window = &tokens[end - n..end];
            if window[0].cap && window.iter().zip(name).all(|(t, w)| t.norm == *w) {
                return Some((id, n));
            }
        }
        if end >= 1 && tokens[end - 1].cap && tokens[end - 1].norm == demonym {
            return Some((id, 1));
        }
    }
    None
}

/// The country named at token `i` (name or demonym), with its length.
pub(crate) fn country_at(tokens: &[Token], i: usize) -> Option<(&'static str, usize)> {
    for &(name, demonym, id) in COUNTRIES {
        let n = name.len();
        let Some(window) = tokens.get(i..i + n) else {
            continue;
        };
        if window[0].cap && window.iter().zip(name).all(|(t, w)| t.norm == *w) {
            return Some((id, n));
        }
        if window[0].cap && window[0].norm == demonym {
            return Some((id, 1));
        }
    }
    None
}

/// The country a country-scoped body at `tokens[first..last]` belongs to,
/// from the words around it: "Colombia's ~", "Colombian ~", "the ~ of
/// Colombia".
pub(crate) fn country_of_body(tokens: &[Token], first: usize, last: usize) -> Option<&'static str> {
    let mut p = first;
    if p > 0 && tokens[p - 1].norm == "'s" {
        p -= 1;
    }
    if let Some((id, _)) = country_ending_at(tokens, p) {
        return Some(id);
    }
    if tokens.get(last).is_some_and(|t| t.norm == "of") {
        let k = if tokens.get(last + 1).is_some_and(|t| t.norm == "the") {
            last + 2
        } else {
            last + 1
        };
        return country_at(tokens, k).map(|(id, _)| id);
    }
    None
}

/// The article's dominant non-US country: the most mentioned one, when it
/// is mentioned at least twice and more than 1.5 times as often as the next.
pub(crate) fn dominant_country(tokens: &[Token]) -> Option<&'static str> {
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match country_at(tokens, i) {
            Some((id, n)) => {
                if id != "us" {
                    match counts.iter_mut().find(|c| c.0 == id) {
                        Some(c) => c.1 += 1,
                        None => counts.push((id, 1)),
                    }
                }
                i += n;
            }
            None => i += 1,
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let top = counts.first()?;
    let second = counts.get(1).map_or(0, |c| c.1);
    (top.1 >= 2 && top.1 * 2 > second * 3).then_some(top.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::tokens::tokenize;

    fn toks(t: &str) -> Vec<Token> {
        tokenize(t, 0, t.len())
    }

    #[test]
    fn body_country_from_possessive_demonym_or_of() {
        let t = toks("Colombia's foreign ministry");
        assert_eq!(country_of_body(&t, 2, 4), Some("colombia"));
        let t = toks("the Peruvian foreign ministry");
        assert_eq!(country_of_body(&t, 2, 4), Some("peru"));
        let t = toks("the foreign ministry of El Salvador said");
        assert_eq!(country_of_body(&t, 1, 3), Some("el_salvador"));
        let t = toks("the foreign ministry said");
        assert_eq!(country_of_body(&t, 1, 3), None);
    }

    #[test]
    fn dominant_country_needs_a_clear_lead() {
        let t = toks("Mexico and the US. Mexican troops. Colombia too. U.S. ships.");
        assert_eq!(dominant_country(&t), Some("mexico"));
        let t = toks("Mexico and Colombia. Mexican and Colombian troops.");
        assert_eq!(dominant_country(&t), None);
        assert_eq!(dominant_country(&toks("Mexico.")), None);
    }
}
