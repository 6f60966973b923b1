//! Geography: geohash cells, distances on the earth (as Elasticsearch
//! measures them, haversine on its mean radius) and distance units.

/// Elasticsearch's mean earth radius, in metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.771_4;

const BASE32: &[u8] = b"0123456789bcdefghjkmnpqrstuvwxyz";

/// The cell of a geohash: `(min_lat, max_lat, min_lon, max_lon)`, or `None`
/// for a character outside the geohash alphabet.
pub fn geohash_cell(hash: &str) -> Option<(f64, f64, f64, f64)> {
    let (mut lat, mut lon) = ((-90.0f64, 90.0f64), (-180.0f64, 180.0f64));
    let mut even = true;
    for c in hash.bytes() {
        let bits = BASE32.iter().position(|&b| b == c.to_ascii_lowercase())?;
        for shift in (0..5).rev() {
            let on = (bits >> shift) & 1 == 1;
            let range = if even { &mut lon } else { &mut lat };
            let mid = (range.0 + range.1) / 2.0;
            if on {
                range.0 = mid;
            } else {
                range.1 = mid;
            }
            even = !even;
        }
    }
    (!hash.is_empty()).then_some((lat.0, lat.1, lon.0, lon.1))
}

/// The geohash of a point, `level` characters long (1 to 12).
pub fn geohash(lat: f64, lon: f64, level: usize) -> String {
    let (mut lat_range, mut lon_range) = ((-90.0f64, 90.0f64), (-180.0f64, 180.0f64));
    let mut even = true;
    let mut out = String::with_capacity(level);
    let mut bits = 0usize;
    for i in 0..level.clamp(1, 12) * 5 {
        let (range, value) = if even { (&mut lon_range, lon) } else { (&mut lat_range, lat) };
        let mid = (range.0 + range.1) / 2.0;
        bits <<= 1;
        if value >= mid {
            bits |= 1;
            range.0 = mid;
        } else {
            range.1 = mid;
        }
        even = !even;
        if i % 5 == 4 {
            out.push(char::from(BASE32[bits]));
            bits = 0;
        }
    }
    out
}

/// The shortest geohash whose cells are at most `meters` across.
pub fn geohash_level_for(meters: f64) -> usize {
    const DEGREE_M: f64 = 111_320.0;
    (1..=12)
        .find(|&level| {
            let (min_lat, max_lat, min_lon, max_lon) = geohash_cell(&geohash(0.0, 0.0, level)).unwrap_or_default();
            ((max_lat - min_lat).max(max_lon - min_lon)) * DEGREE_M <= meters
        })
        .unwrap_or(12)
}

/// The geohashes of the cells around a geohash's (of its length).
pub fn geohash_neighbours(hash: &str) -> Vec<String> {
    let Some((min_lat, max_lat, min_lon, max_lon)) = geohash_cell(hash) else { return Vec::new() };
    let (height, width) = (max_lat - min_lat, max_lon - min_lon);
    let (lat, lon) = ((min_lat + max_lat) / 2.0, (min_lon + max_lon) / 2.0);
    let mut out = Vec::new();
    for dlat in [-1.0, 0.0, 1.0] {
        for dlon in [-1.0, 0.0, 1.0] {
            let (nlat, mut nlon) = (lat + dlat * height, lon + dlon * width);
            if (dlat, dlon) == (0.0, 0.0) || !(-90.0..=90.0).contains(&nlat) {
                continue;
            }
            if nlon > 180.0 {
                nlon -= 360.0;
            } else if nlon < -180.0 {
                nlon += 360.0;
            }
            out.push(geohash(nlat, nlon, hash.len()));
        }
    }
    out
}

/// The box of a map tile `zoom/x/y`: `(min_lat, max_lat, min_lon, max_lon)`.
pub fn geotile_cell(tile: &str) -> Option<(f64, f64, f64, f64)> {
    let parts: Vec<u32> = tile.split('/').map(|p| p.trim().parse().ok()).collect::<Option<_>>()?;
    let [zoom, x, y] = parts.as_slice() else { return None };
    let n = 2f64.powi(i32::try_from(*zoom).ok()?);
    if f64::from(*x) >= n || f64::from(*y) >= n {
        return None;
    }
    let lon = |x: f64| x / n * 360.0 - 180.0;
    let lat = |y: f64| (std::f64::consts::PI * (1.0 - 2.0 * y / n)).sinh().atan().to_degrees();
    let (x, y) = (f64::from(*x), f64::from(*y));
    Some((lat(y + 1.0), lat(y), lon(x), lon(x + 1.0)))
}

/// The distance between two points along the earth's surface, in metres.
pub fn arc_distance(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let (dp, dl) = ((lat2 - lat1).to_radians(), (lon2 - lon1).to_radians());
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// The distance between two points on a flat projection around them (the
/// `plane` distance type: faster, less accurate far away), in metres.
pub fn plane_distance(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let x = (lon2 - lon1).to_radians() * ((lat1 + lat2) / 2.0).to_radians().cos();
    let y = (lat2 - lat1).to_radians();
    (x * x + y * y).sqrt() * EARTH_RADIUS_M
}

/// A distance as a query gives it: a number of metres, or a text
/// [`parse_distance`] reads.
pub fn distance_value(value: &serde_json::Value) -> Option<f64> {
    match value {
        serde_json::Value::Number(n) => n.as_f64(),
        other => parse_distance(&crate::settings_text(other)),
    }
}

/// A distance such as `12km`, `200m` or `1.5mi` in metres (metres when no unit).
pub fn parse_distance(text: &str) -> Option<f64> {
    let t = text.trim();
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let n: f64 = number.trim().parse().ok()?;
    let factor = match unit.trim() {
        "" | "m" | "meters" => 1.0,
        "km" | "kilometers" => 1000.0,
        "cm" | "centimeters" => 0.01,
        "mm" | "millimeters" => 0.001,
        "mi" | "miles" => 1609.344,
        "yd" | "yards" => 0.9144,
        "ft" | "feet" => 0.3048,
        "in" | "inch" => 0.0254,
        "nmi" | "NM" => 1852.0,
        _ => return None,
    };
    Some(n * factor)
}

/// A latitude and longitude brought into their ranges, as Elasticsearch
/// coerces a point: a latitude past a pole comes back down the other side
/// of the globe (its longitude turned half a turn), a longitude wraps.
pub fn normalize_point(lat: f64, lon: f64) -> (f64, f64) {
    /// `x` into `]-period/2, period/2]`.
    fn centred(x: f64, period: f64) -> f64 {
        let mut r = x % period;
        if r <= 0.0 {
            r += period;
        }
        if r > period / 2.0 {
            r -= period;
        }
        r
    }
    let fold_lat = !(-90.0..=90.0).contains(&lat);
    let (mut lat, mut lon) = (lat, lon);
    if fold_lat {
        lat = centred(lat, 360.0);
        if lat < -90.0 {
            lat = -180.0 - lat;
            lon += 180.0;
        } else if lat > 90.0 {
            lat = 180.0 - lat;
            lon += 180.0;
        }
    }
    if fold_lat || !(-180.0..=180.0).contains(&lon) {
        lon = centred(lon, 360.0);
    }
    (lat, lon)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geohashes_encode_and_neighbour() {
        assert_eq!(geohash(57.64911, 10.40744, 11), "u4pruydqqvj");
        assert_eq!(geohash_level_for(5000.0), 5);
        let around = geohash_neighbours("u4pru");
        assert_eq!(around.len(), 8);
        assert!(around.iter().all(|h| h.len() == 5 && h != "u4pru"));
    }

    #[test]
    fn geohash_cells_and_distances() {
        let (min_lat, max_lat, min_lon, max_lon) = geohash_cell("s").unwrap();
        assert_eq!((min_lat, max_lat, min_lon, max_lon), (0.0, 45.0, 0.0, 45.0));
        assert!(geohash_cell("a").is_none());
        let (min_lat, max_lat, min_lon, max_lon) = geotile_cell("1/0/0").unwrap();
        assert_eq!((min_lon, max_lon, min_lat), (-180.0, 0.0, 0.0));
        assert!((max_lat - 85.0511).abs() < 1e-3);
        // Paris to London, about 344 km.
        let d = arc_distance(48.8566, 2.3522, 51.5074, -0.1278);
        assert!((d - 343_500.0).abs() < 1_500.0, "{d}");
        let plane = plane_distance(48.8566, 2.3522, 51.5074, -0.1278);
        assert!((plane - d).abs() < 1_000.0, "{plane} against {d}");
        assert_eq!(parse_distance("12km"), Some(12_000.0));
        assert_eq!(parse_distance("5"), Some(5.0));
        assert!(parse_distance("5 parsecs").is_none());
    }

    #[test]
    fn points_are_coerced_into_range() {
        assert_eq!(normalize_point(10.0, 20.0), (10.0, 20.0));
        assert_eq!(normalize_point(10.0, 200.0), (10.0, -160.0));
        assert_eq!(normalize_point(10.0, -540.0), (10.0, 180.0));
        // Past the north pole: down the other side, half a turn round.
        assert_eq!(normalize_point(100.0, 20.0), (80.0, -160.0));
        assert_eq!(normalize_point(-100.0, -170.0), (-80.0, 10.0));
        assert_eq!(normalize_point(450.0, 0.0), (90.0, 0.0));
    }
}
