//! Small text helpers shared by the renderers: names, numbers, durations, escaping.

use std::fmt::Write as _;

/// A replica's name: `0 → A`, ..., `25 → Z`, then `R26`, `R27`, ...
pub(crate) fn replica(index: u32) -> String {
    match u8::try_from(index) {
        Ok(i) if i < 26 => char::from(b'A' + i).to_string(),
        _ => format!("R{index}"),
    }
}

/// Names joined for prose: `A`, `A and B`, `A, B and C`.
pub(crate) fn prose_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A count with thousands separators: `100000 → 100,000`.
pub(crate) fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A count as a `usize`.
pub(crate) fn count_usize(n: usize) -> String {
    count(u64::try_from(n).unwrap_or(u64::MAX))
}

/// A duration in microseconds, to three significant figures: `950 µs`, `12.3 ms`, `4.50 s`,
/// `2 min 5 s`.
pub(crate) fn duration_us(us: u64) -> String {
    let us_f = us as f64;
    if us < 1_000 {
        format!("{us} µs")
    } else if us < 1_000_000 {
        format!("{} ms", significant(us_f / 1e3))
    } else if us < 120_000_000 {
        format!("{} s", significant(us_f / 1e6))
    } else {
        let s = us / 1_000_000;
        format!("{} min {} s", s / 60, s % 60)
    }
}

/// Seconds with millisecond precision, for JUnit's `time` attributes.
pub(crate) fn seconds(us: u64) -> String {
    format!("{}.{:03}", us / 1_000_000, (us % 1_000_000) / 1_000)
}

/// A rate per second, or `–` when nothing was measured.
pub(crate) fn rate(per_second: Option<f64>) -> String {
    per_second.map_or_else(
        || "–".to_owned(),
        |r| {
            if r >= 1_000.0 {
                // Saturating float-to-int conversion: rates are far below u64::MAX.
                count(r.round() as u64)
            } else {
                significant(r)
            }
        },
    )
}

/// Three significant figures, without trailing noise: `1.23`, `12.3`, `123`.
fn significant(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// Text shortened to at most `max` characters, with `…` marking the cut.
pub(crate) fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Escapes text for XML and HTML (content and attribute values), replacing characters XML 1.0
/// cannot carry at all (most control characters) with `\u{..}` escapes.
pub(crate) fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replicas_print_as_letters() {
        assert_eq!(replica(0), "A");
        assert_eq!(replica(25), "Z");
        assert_eq!(replica(26), "R26");
    }

    #[test]
    fn numbers_and_durations_read_well() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(100_000), "100,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(duration_us(950), "950 µs");
        assert_eq!(duration_us(12_345), "12.3 ms");
        assert_eq!(duration_us(4_500_000), "4.50 s");
        assert_eq!(duration_us(125_000_000), "2 min 5 s");
        assert_eq!(seconds(1_234_567), "1.234");
        assert_eq!(rate(Some(83_333.4)), "83,333");
        assert_eq!(rate(Some(2.5)), "2.50");
        assert_eq!(rate(None), "–");
    }

    #[test]
    fn text_is_escaped_and_shortened() {
        assert_eq!(
            xml("<a href=\"x\">&'\u{0}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\\u{0}"
        );
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(
            prose_list(&["A".into(), "B".into(), "C".into()]),
            "A, B and C"
        );
    }
}
