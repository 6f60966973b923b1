"""The official Python client (`elasticsearch` on PyPI) against Tensile.

Usage: python_client.py URL. Exits non-zero on the first failed check.
The client checks the X-Elastic-Product header on every 2xx answer and
sends `compatible-with=9` media types, so passing here means it accepts
Tensile as Elasticsearch.
"""

import sys

from elasticsearch import Elasticsearch


def main(url: str) -> None:
    client = Elasticsearch(url)
    info = client.info()
    assert info["tagline"] == "You Know, for Search", info
    assert info["version"]["number"].startswith("9."), info
    assert client.ping() is True
    print("python client: info and ping OK, version", info["version"]["number"])


if __name__ == "__main__":
    main(sys.argv[1])
