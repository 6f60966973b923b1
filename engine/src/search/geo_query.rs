//! Geo queries over `geo_point` fields, whose latitudes and longitudes are
//! indexed as numbers at `<path>.lat` and `<path>.lon`: a bounding box is
//! two ranges; a distance is the box around the circle, each candidate's
//! points then measured (tantivy has no such query: [`WithinDistance`]).

use crate::mapper::geo::arc_distance;
use tantivy::columnar::DynamicColumn;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED};

/// The documents of an inner query with a point within `meters` of a centre.
#[derive(Debug)]
pub struct WithinDistance {
    pub inner: Box<dyn Query>,
    /// The fast-field columns of the latitudes and longitudes.
    pub lat_column: String,
    pub lon_column: String,
    pub lat: f64,
    pub lon: f64,
    pub meters: f64,
    pub boost: f32,
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
            boost: self.boost,
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

/// A segment's numeric columns under a name (JSON numbers may be stored
/// as integers or floats).
fn columns(reader: &SegmentReader, name: &str) -> tantivy::Result<Vec<DynamicColumn>> {
    let handles = reader.fast_fields().dynamic_column_handles(name)?;
    handles.iter().map(|h| h.open().map_err(tantivy::TantivyError::from)).collect()
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
        let inner = self.inner.scorer(reader, boost)?;
        let (lats, lons) = (columns(reader, &self.query.lat_column)?, columns(reader, &self.query.lon_column)?);
        let mut scorer =
            DistanceScorer { inner, lats, lons, query: self.query.clone(), score: self.query.boost * boost };
        if scorer.inner.doc() != TERMINATED && !scorer.within(scorer.inner.doc()) {
            scorer.advance();
        }
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!("document #{doc} does not match")));
        }
        Ok(Explanation::new("within distance", scorer.score()))
    }
}

struct DistanceScorer {
    inner: Box<dyn Scorer>,
    lats: Vec<DynamicColumn>,
    lons: Vec<DynamicColumn>,
    query: WithinDistance,
    score: Score,
}

impl DistanceScorer {
    /// Whether one of the document's points lies within the distance (its
    /// latitudes and longitudes paired in the order they were written).
    fn within(&self, doc: DocId) -> bool {
        values(&self.lats, doc)
            .into_iter()
            .zip(values(&self.lons, doc))
            .any(|(lat, lon)| arc_distance(self.query.lat, self.query.lon, lat, lon) <= self.query.meters)
    }
}

impl DocSet for DistanceScorer {
    fn advance(&mut self) -> DocId {
        loop {
            let doc = self.inner.advance();
            if doc == TERMINATED || self.within(doc) {
                return doc;
            }
        }
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }
}

impl Scorer for DistanceScorer {
    fn score(&mut self) -> Score {
        self.score
    }
}
