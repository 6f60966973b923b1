//! Geo queries over `geo_point` fields, whose latitudes and longitudes are
//! indexed as numbers at `<path>.lat` and `<path>.lon`: a bounding box is
//! two ranges; a distance is the box around the circle, each candidate's
//! points then measured (tantivy has no such query: [`WithinDistance`]).

use crate::mapper::geo::arc_distance;
use tantivy::columnar::DynamicColumn;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader};

/// The documents of an inner query (the box around the circle, scored as
/// the query is boosted) with a point within `meters` of a centre.
#[derive(Debug)]
pub struct WithinDistance {
    pub inner: Box<dyn Query>,
    /// The fast-field columns of the latitudes and longitudes.
    pub lat_column: String,
    pub lon_column: String,
    pub lat: f64,
    pub lon: f64,
    pub meters: f64,
}

impl Clone for WithinDistance {
    fn clone(&self) -> Self {
        WithinDistance {
            inner: self.inner.box_clone(),
            lat_column: self.lat_column.clone(),
            lon_column: self.lon_column.clone(),
            lat: self.lat,
            lon: self.lon,
            meters: self.meters,
        }
    }
}

impl Query for WithinDistance {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(DistanceWeight { inner: self.inner.weight(scoring)?, query: self.clone() }))
    }
}

struct DistanceWeight {
    inner: Box<dyn Weight>,
    query: WithinDistance,
}

/// A document's values in numeric columns, as `f64`.
fn values(columns: &[DynamicColumn], doc: DocId) -> Vec<f64> {
    let mut out = Vec::new();
    for column in columns {
        match column {
            DynamicColumn::F64(c) => out.extend(c.values_for_doc(doc)),
            DynamicColumn::I64(c) => out.extend(c.values_for_doc(doc).map(|v| v as f64)),
            DynamicColumn::U64(c) => out.extend(c.values_for_doc(doc).map(|v| v as f64)),
            _ => {}
        }
    }
    out
}

impl Weight for DistanceWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let lats = super::sort::columns(reader, &self.query.lat_column)?;
        let lons = super::sort::columns(reader, &self.query.lon_column)?;
        let (lat, lon, meters) = (self.query.lat, self.query.lon, self.query.meters);
        // One of the document's points within the distance (latitudes and
        // longitudes paired in the order they were written).
        let within = move |doc: DocId| {
            values(&lats, doc).into_iter().zip(values(&lons, doc)).any(|(a, o)| arc_distance(lat, lon, a, o) <= meters)
        };
        Ok(Box::new(super::filtered::Filtered::new(self.inner.scorer(reader, boost)?, within)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!("document #{doc} does not match")));
        }
        Ok(Explanation::new("within distance", scorer.score()))
    }
}
