//! Geo queries over `geo_point` fields, whose latitudes and longitudes are
//! indexed as numbers at `<path>.lat` and `<path>.lon`: a bounding box is
//! two ranges; a distance is the box around the circle, each candidate's
//! points then measured (tantivy has no such query: [`WithinDistance`]).

use super::filtered::SegmentFilter;
use crate::mapper::geo::arc_distance;
use tantivy::columnar::DynamicColumn;
use tantivy::{DocId, SegmentReader};

/// The documents with a point within `meters` of a centre (a filter over
/// the box around the circle, scored as the query is boosted).
#[derive(Debug, Clone)]
pub struct WithinDistance {
    /// The fast-field columns of the latitudes and longitudes.
    pub lat_column: String,
    pub lon_column: String,
    pub lat: f64,
    pub lon: f64,
    pub meters: f64,
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

impl SegmentFilter for WithinDistance {
    fn keep(&self, reader: &SegmentReader) -> tantivy::Result<Option<impl Fn(DocId) -> bool + Send + 'static>> {
        let lats = super::sort::columns(reader, &self.lat_column)?;
        let lons = super::sort::columns(reader, &self.lon_column)?;
        let (lat, lon, meters) = (self.lat, self.lon, self.meters);
        // One of the document's points within the distance (latitudes and
        // longitudes paired in the order they were written).
        Ok(Some(move |doc: DocId| {
            values(&lats, doc).into_iter().zip(values(&lons, doc)).any(|(a, o)| arc_distance(lat, lon, a, o) <= meters)
        }))
    }

    fn description(&self) -> Option<&'static str> {
        Some("within distance")
    }
}
