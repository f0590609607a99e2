//! Feature ids <-> names: round trips over every group kind, and the errors for unknown ids and
//! names.

use features::space::{Bucketizer, Column, ColumnEncoding, Vocabulary};
use features::{
    FeatureSpace, FeatureSpaceBuilder, FeaturesError, SyntheticConfig, SyntheticProblem,
};

fn round_trip(space: &FeatureSpace, id: u64) -> String {
    let name = space.name(id).unwrap();
    assert_eq!(space.id_of(&name).unwrap(), id, "{name}");
    name
}

#[test]
fn k10_exact_cross_names_round_trip() {
    let problem =
        SyntheticProblem::new(SyntheticConfig { k: 10, ..SyntheticConfig::default() }).unwrap();
    let space = problem.space();
    assert_eq!(round_trip(space, 0), "x0[0,0.1)");
    assert_eq!(round_trip(space, 37), "x3[0.7,0.8)");
    let first = 100;
    assert_eq!(
        round_trip(space, first),
        ["[0,0.1)"; 10]
            .iter()
            .enumerate()
            .map(|(j, l)| format!("x{j}{l}"))
            .collect::<Vec<_>>()
            .join(" x ")
    );
    let last = space.dimension() - 1;
    let name = round_trip(space, last);
    assert!(name.starts_with("x0[0.9,1) x x1[0.9,1)") && name.ends_with("x9[0.9,1)"), "{name}");
    // Cell 3 * 10^8 + 2 * 10^4 + 7: x0 bin 0, x1 bin 3, x5 bin 2, x9 bin 7.
    let name = round_trip(space, first + 300_020_007);
    assert!(
        name.contains("x1[0.3,0.4)")
            && name.contains("x5[0.2,0.3)")
            && name.contains("x9[0.7,0.8)"),
        "{name}"
    );
    for id in (0..space.dimension()).step_by(999_999_937) {
        round_trip(space, id);
    }
}

#[test]
fn pairwise_names_round_trip() {
    let cfg = SyntheticConfig {
        k: 4,
        bins: 3,
        crosses: features::CrossLayout {
            marginals: true,
            full_cross: false,
            pairwise: true,
            hash_buckets: None,
        },
        ..SyntheticConfig::default()
    };
    let problem = SyntheticProblem::new(cfg).unwrap();
    let space = problem.space();
    assert_eq!(space.dimension(), 12 + 6 * 9);
    for id in 0..space.dimension() {
        round_trip(space, id);
    }
    assert_eq!(space.name(12).unwrap(), "x0[0,0.333333) x x1[0,0.333333)");
}

fn mixed_space() -> FeatureSpace {
    let mut builder = FeatureSpaceBuilder::new();
    let lat = Bucketizer::from_boundaries(vec![33.9, 37.1, 37.5]).unwrap();
    let lon = Bucketizer::from_boundaries(vec![-122.3, -121.9]).unwrap();
    let origin = Vocabulary::from_values(vec!["SFO".into(), "LAX".into(), "A x B".into()]);
    let lat = builder
        .add_column(Column { name: "latitude".into(), encoding: ColumnEncoding::Buckets(lat) })
        .unwrap();
    let lon = builder
        .add_column(Column { name: "longitude".into(), encoding: ColumnEncoding::Buckets(lon) })
        .unwrap();
    let origin = builder
        .add_column(Column { name: "origin".into(), encoding: ColumnEncoding::Categorical(origin) })
        .unwrap();
    for c in [lat, lon, origin] {
        builder.add_marginal(c).unwrap();
    }
    builder.add_exact_cross("lat_x_lon", &[lat, lon]).unwrap();
    builder.add_exact_cross("origin_x_lat", &[origin, lat]).unwrap();
    builder.add_hashed_cross("long_x_lat", &[lon, lat], 1000).unwrap();
    builder.build()
}

#[test]
fn bucket_category_cross_and_hashed_names_round_trip() {
    let space = mixed_space();
    assert_eq!(space.dimension(), 4 + 3 + 4 + 12 + 16 + 1000);
    for id in 0..space.dimension() {
        round_trip(&space, id);
    }
    assert_eq!(space.name(0).unwrap(), "latitude(-inf,33.9)");
    assert_eq!(
        space.name(4 + 3 + 4 + 2 * 3 + 2).unwrap(),
        "latitude[37.1,37.5) x longitude[-121.9,+inf)"
    );
    assert_eq!(space.id_of("origin=A x B x latitude[37.5,+inf)").unwrap(), 11 + 12 + 3);
    assert_eq!(space.id_of("origin#oov").unwrap(), 10);
    assert_eq!(space.id_of("long_x_lat#417").unwrap(), 11 + 12 + 16 + 417);
}

#[test]
fn unknown_ids_and_names_are_errors() {
    let space = mixed_space();
    let err = space.name(space.dimension()).unwrap_err();
    assert!(matches!(err, FeaturesError::UnknownFeatureId { .. }), "{err}");
    for bad in ["latitude[0,1)", "long_x_lat#1000", "nothing", "latitude(-inf,33.9) x ", ""] {
        let err = space.id_of(bad).unwrap_err();
        assert!(matches!(err, FeaturesError::UnknownFeatureName { .. }), "{bad}: {err}");
    }
}

#[test]
fn group_and_column_names_are_checked() {
    let mut builder = FeatureSpaceBuilder::new();
    let column = |name: &str| Column {
        name: name.into(),
        encoding: ColumnEncoding::Buckets(Bucketizer::unit_interval(2)),
    };
    assert!(builder.add_column(column("a#b")).is_err());
    assert!(builder.add_column(column("a x b")).is_err());
    let a = builder.add_column(column("a")).unwrap();
    assert!(builder.add_column(column("a")).is_err());
    let b = builder.add_column(column("b")).unwrap();
    builder.add_exact_cross("a_x_b", &[a, b]).unwrap();
    assert!(builder.add_exact_cross("a_x_b", &[b, a]).is_err());
    assert!(builder.add_exact_cross("self", &[a, a]).is_err());
    assert!(builder.add_hashed_cross("zero", &[a, b], 0).is_err());
}
