//! Geo queries over `geo_point` fields, whose latitudes and longitudes are
//! indexed as numbers at `<path>.lat` and `<path>.lon`: a bounding box is
//! two ranges; a distance is the box around the circle, each candidate's
//! points then measured (tantivy has no such query: [`WithinDistance`]).

use super::filtered::SegmentFilter;
use super::sort::numbers;
use crate::mapper::geo::arc_distance;
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

impl SegmentFilter for WithinDistance {
    fn keep(&self, reader: &SegmentReader) -> tantivy::Result<Option<impl Fn(DocId) -> bool + Send + 'static>> {
        let lats = super::sort::columns(reader, &self.lat_column)?;
        let lons = super::sort::columns(reader, &self.lon_column)?;
        let (lat, lon, meters) = (self.lat, self.lon, self.meters);
        // One of the document's points within the distance (latitudes and
        // longitudes paired in the order they were written).
        Ok(Some(move |doc: DocId| {
            numbers(&lats, doc).zip(numbers(&lons, doc)).any(|(a, o)| arc_distance(lat, lon, a, o) <= meters)
        }))
    }

    fn description(&self) -> Option<&'static str> {
        Some("within distance")
    }
}
