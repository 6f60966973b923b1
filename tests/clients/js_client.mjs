// The official JavaScript client (`@elastic/elasticsearch` on npm) against
// Tensile. Usage: node js_client.mjs URL. The client checks on its first
// request that the server says it is Elasticsearch (X-Elastic-Product).
import { Client } from '@elastic/elasticsearch'

const client = new Client({ node: process.argv[2] })
const info = await client.info()
if (info.tagline !== 'You Know, for Search') throw new Error(`unexpected info: ${JSON.stringify(info)}`)
if (!info.version.number.startsWith('9.')) throw new Error(`unexpected version: ${info.version.number}`)
if ((await client.ping()) !== true) throw new Error('ping failed')
console.log('js client: info and ping OK, version', info.version.number)
