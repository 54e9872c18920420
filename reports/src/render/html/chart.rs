//! Charts of measurements against steps, drawn with plotters' SVG backend.

use std::collections::BTreeMap;

use plotters::prelude::*;

use crate::Sample;

/// At most this many points per series: denser data is averaged in buckets.
const MAX_POINTS: usize = 300;
const SIZE: (u32, u32) = (460, 250);

/// One series to chart: a title, the y axis' unit, and how to read a sample.
pub(super) struct Series {
    pub(super) title: &'static str,
    pub(super) unit: &'static str,
    pub(super) read: fn(&Sample) -> Option<f64>,
}

/// State size in bytes against step.
pub(super) const STATE_SIZE: Series = Series {
    title: "State size",
    unit: "bytes",
    read: |s| s.state_bytes.map(|b| b as f64),
};

/// Merge time in microseconds against step.
pub(super) const MERGE_TIME: Series = Series {
    title: "Merge time",
    unit: "µs",
    read: |s| s.merge_ns.map(|ns| ns as f64 / 1e3),
};

/// The chart of a series as SVG, `None` when no sample has a value for it, or an error message
/// from plotters.
pub(super) fn chart<'a>(
    series: &Series,
    samples: impl Iterator<Item = &'a Sample>,
) -> Option<Result<String, String>> {
    let points = mean_per_step(samples, series.read);
    (!points.is_empty()).then(|| draw(series, &points).map_err(|e| e.to_string()))
}

/// The mean value per step, averaged further into at most [`MAX_POINTS`] buckets.
fn mean_per_step<'a>(
    samples: impl Iterator<Item = &'a Sample>,
    read: fn(&Sample) -> Option<f64>,
) -> Vec<(f64, f64)> {
    let mut sums: BTreeMap<u64, (f64, f64)> = BTreeMap::new();
    for sample in samples {
        if let Some(value) = read(sample) {
            let entry = sums.entry(sample.step).or_default();
            entry.0 += value;
            entry.1 += 1.0;
        }
    }
    let points: Vec<(f64, f64)> = sums
        .into_iter()
        .map(|(step, (sum, n))| (step as f64, sum / n))
        .collect();
    let bucket = points.len().div_ceil(MAX_POINTS).max(1);
    points
        .chunks(bucket)
        .map(|chunk| {
            let n = chunk.len() as f64;
            let (x, y) = chunk
                .iter()
                .fold((0.0, 0.0), |(x, y), p| (x + p.0, y + p.1));
            (x / n, y / n)
        })
        .collect()
}

/// Decimals for axis labels up to `max`: enough that neighbouring ticks read differently
/// (three significant figures at the top of the axis, none past the decimal point above 100).
fn label_decimals(max: f64) -> usize {
    (2.0 - max.log10().floor()).clamp(0.0, 6.0) as usize
}

fn draw(series: &Series, points: &[(f64, f64)]) -> Result<String, Box<dyn std::error::Error>> {
    let x_max = points.iter().map(|p| p.0).fold(1.0, f64::max);
    let y_max = points.iter().map(|p| p.1).fold(0.0, f64::max).max(1e-9) * 1.1;
    let decimals = label_decimals(y_max);
    let colour = RGBColor(0x15, 0x65, 0xc0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("{} ({})", series.title, series.unit),
                ("sans-serif", 16),
            )
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(60)
            .build_cartesian_2d(0.0..x_max, 0.0..y_max)?;
        chart
            .configure_mesh()
            .x_desc("step")
            .y_desc(series.unit)
            .light_line_style(RGBColor(0xee, 0xee, 0xee))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.decimals$}"))
            .draw()?;
        chart.draw_series(LineSeries::new(
            points.iter().copied(),
            colour.stroke_width(2),
        ))?;
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
        root.present()?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels_keep_three_significant_figures() {
        assert_eq!(super::label_decimals(0.22), 3);
        assert_eq!(super::label_decimals(12.0), 1);
        assert_eq!(super::label_decimals(250.0), 0);
        assert_eq!(super::label_decimals(1e-9), 6);
    }

    use super::*;

    #[test]
    fn dense_samples_are_averaged_per_step_then_bucketed() {
        let samples: Vec<Sample> = (0..2_000u64)
            .flat_map(|step| {
                [1, 3].map(|b| Sample {
                    step,
                    state_bytes: Some(b),
                    merge_ns: None,
                })
            })
            .collect();
        let points = mean_per_step(samples.iter(), STATE_SIZE.read);
        assert!(points.len() <= MAX_POINTS, "{}", points.len());
        assert!(points.iter().all(|p| (p.1 - 2.0).abs() < 1e-9));
        assert!(mean_per_step(samples.iter(), MERGE_TIME.read).is_empty());
    }

    #[test]
    fn a_chart_is_an_svg_without_external_references() {
        let samples = [Sample {
            step: 3,
            state_bytes: Some(40),
            merge_ns: Some(900),
        }];
        let svg = chart(&STATE_SIZE, samples.iter()).unwrap().unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(!svg.contains("href"));
        assert!(chart(&MERGE_TIME, [].iter()).is_none());
    }
}
