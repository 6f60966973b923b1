"""The official Python client's bulk helper, search, count and scan (scroll) helper against Tensile."""
import sys

from elasticsearch import Elasticsearch, helpers

es = Elasticsearch(sys.argv[1])
actions = ({"_index": "py-books", "_id": str(i), "_source": {"n": i, "title": f"book number {i}", "even": i % 2 == 0}} for i in range(500))
ok, errors = helpers.bulk(es, actions, chunk_size=120)
assert ok == 500 and not errors, (ok, errors)
es.indices.refresh(index="py-books")

found = es.search(index="py-books", query={"bool": {"filter": [{"term": {"even": True}}, {"range": {"n": {"lt": 10}}}]}}, sort=[{"n": "asc"}])
assert [h["_source"]["n"] for h in found["hits"]["hits"]] == [0, 2, 4, 6, 8], found
assert found["hits"]["total"]["value"] == 5, found

assert es.count(index="py-books", query={"match": {"title": "number"}})["count"] == 500

seen = sorted(hit["_source"]["n"] for hit in helpers.scan(es, index="py-books", query={"query": {"match_all": {}}}, size=64))
assert seen == list(range(500)), seen[:10]
print("ok")
