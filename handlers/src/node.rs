//! The node: what every handler works over, and the [`Handlers`] impl that
//! routes each built API to its module.

use tensile_engine::Engine;
use tensile_generated::{params, Handlers};
use tensile_rest::{HandlerFuture, Request};
use tensile_server::Settings;

/// One Tensile node: its settings and its engine.
pub struct Node {
    pub settings: Settings,
    pub engine: Engine,
}

impl Node {
    pub fn new(settings: Settings, engine: Engine) -> Self {
        Node { settings, engine }
    }
}

impl Handlers for Node {
    fn info(&self, req: Request<params::Info>) -> HandlerFuture<'_> {
        crate::info::info(self, req)
    }

    fn ping(&self, req: Request<params::Ping>) -> HandlerFuture<'_> {
        crate::info::ping(self, req)
    }

    fn capabilities(&self, req: Request<params::Capabilities>) -> HandlerFuture<'_> {
        crate::capabilities::capabilities(self, req)
    }

    fn index(&self, req: Request<params::Index>) -> HandlerFuture<'_> {
        crate::documents::index(self, req)
    }

    fn create(&self, req: Request<params::Create>) -> HandlerFuture<'_> {
        crate::documents::create(self, req)
    }

    fn get(&self, req: Request<params::Get>) -> HandlerFuture<'_> {
        crate::documents::get(self, req)
    }

    fn exists(&self, req: Request<params::Exists>) -> HandlerFuture<'_> {
        crate::documents::exists(self, req)
    }

    fn get_source(&self, req: Request<params::GetSource>) -> HandlerFuture<'_> {
        crate::documents::get_source(self, req)
    }

    fn exists_source(&self, req: Request<params::ExistsSource>) -> HandlerFuture<'_> {
        crate::documents::exists_source(self, req)
    }

    fn mget(&self, req: Request<params::Mget>) -> HandlerFuture<'_> {
        crate::documents::mget(self, req)
    }

    fn update(&self, req: Request<params::Update>) -> HandlerFuture<'_> {
        crate::documents::update(self, req)
    }

    fn bulk(&self, req: Request<params::Bulk>) -> HandlerFuture<'_> {
        crate::bulk::bulk(self, req)
    }

    fn delete(&self, req: Request<params::Delete>) -> HandlerFuture<'_> {
        crate::documents::delete(self, req)
    }

    fn indices_refresh(&self, req: Request<params::IndicesRefresh>) -> HandlerFuture<'_> {
        crate::maintenance::refresh(self, req)
    }

    fn cluster_health(&self, req: Request<params::ClusterHealth>) -> HandlerFuture<'_> {
        crate::cluster::health(self, req)
    }

    fn cluster_put_settings(&self, req: Request<params::ClusterPutSettings>) -> HandlerFuture<'_> {
        crate::cluster_settings::put(self, req)
    }

    fn cluster_get_settings(&self, req: Request<params::ClusterGetSettings>) -> HandlerFuture<'_> {
        crate::cluster_settings::get(self, req)
    }

    fn indices_put_alias(&self, req: Request<params::IndicesPutAlias>) -> HandlerFuture<'_> {
        crate::aliases::put(self, req)
    }

    fn indices_delete_alias(&self, req: Request<params::IndicesDeleteAlias>) -> HandlerFuture<'_> {
        crate::aliases::delete(self, req)
    }

    fn indices_get_alias(&self, req: Request<params::IndicesGetAlias>) -> HandlerFuture<'_> {
        crate::aliases::get(self, req)
    }

    fn indices_exists_alias(&self, req: Request<params::IndicesExistsAlias>) -> HandlerFuture<'_> {
        crate::aliases::exists(self, req)
    }

    fn indices_update_aliases(&self, req: Request<params::IndicesUpdateAliases>) -> HandlerFuture<'_> {
        crate::aliases::update(self, req)
    }

    fn indices_close(&self, req: Request<params::IndicesClose>) -> HandlerFuture<'_> {
        crate::indices::close(self, req)
    }

    fn indices_open(&self, req: Request<params::IndicesOpen>) -> HandlerFuture<'_> {
        crate::indices::open(self, req)
    }

    fn indices_put_settings(&self, req: Request<params::IndicesPutSettings>) -> HandlerFuture<'_> {
        crate::indices::put_settings(self, req)
    }

    fn indices_put_mapping(&self, req: Request<params::IndicesPutMapping>) -> HandlerFuture<'_> {
        crate::indices::put_mapping(self, req)
    }

    fn indices_create(&self, req: Request<params::IndicesCreate>) -> HandlerFuture<'_> {
        crate::indices::create(self, req)
    }

    fn indices_delete(&self, req: Request<params::IndicesDelete>) -> HandlerFuture<'_> {
        crate::indices::delete(self, req)
    }

    fn indices_exists(&self, req: Request<params::IndicesExists>) -> HandlerFuture<'_> {
        crate::indices::exists(self, req)
    }

    fn indices_get(&self, req: Request<params::IndicesGet>) -> HandlerFuture<'_> {
        crate::indices::get(self, req)
    }

    fn indices_get_mapping(&self, req: Request<params::IndicesGetMapping>) -> HandlerFuture<'_> {
        crate::indices::get_mapping(self, req)
    }

    fn indices_analyze(&self, req: Request<params::IndicesAnalyze>) -> HandlerFuture<'_> {
        crate::analyze::analyze_api(self, req)
    }

    fn indices_flush(&self, req: Request<params::IndicesFlush>) -> HandlerFuture<'_> {
        crate::maintenance::flush(self, req)
    }

    fn indices_forcemerge(&self, req: Request<params::IndicesForcemerge>) -> HandlerFuture<'_> {
        crate::maintenance::forcemerge(self, req)
    }

    fn indices_clear_cache(&self, req: Request<params::IndicesClearCache>) -> HandlerFuture<'_> {
        crate::maintenance::clear_cache(self, req)
    }

    fn indices_stats(&self, req: Request<params::IndicesStats>) -> HandlerFuture<'_> {
        crate::stats::stats(self, req)
    }

    fn indices_segments(&self, req: Request<params::IndicesSegments>) -> HandlerFuture<'_> {
        crate::stats::segments(self, req)
    }

    fn indices_get_field_mapping(&self, req: Request<params::IndicesGetFieldMapping>) -> HandlerFuture<'_> {
        crate::indices::get_field_mapping(self, req)
    }

    fn indices_add_block(&self, req: Request<params::IndicesAddBlock>) -> HandlerFuture<'_> {
        crate::indices::add_block(self, req)
    }

    fn indices_clone(&self, req: Request<params::IndicesClone>) -> HandlerFuture<'_> {
        crate::resize::clone(self, req)
    }

    fn indices_shrink(&self, req: Request<params::IndicesShrink>) -> HandlerFuture<'_> {
        crate::resize::shrink(self, req)
    }

    fn indices_split(&self, req: Request<params::IndicesSplit>) -> HandlerFuture<'_> {
        crate::resize::split(self, req)
    }

    fn indices_resolve_index(&self, req: Request<params::IndicesResolveIndex>) -> HandlerFuture<'_> {
        crate::resolve_index::resolve_index(self, req)
    }

    fn indices_resolve_cluster(&self, req: Request<params::IndicesResolveCluster>) -> HandlerFuture<'_> {
        crate::resolve_index::resolve_cluster(self, req)
    }

    fn delete_by_query(&self, req: Request<params::DeleteByQuery>) -> HandlerFuture<'_> {
        crate::by_query::delete_by_query(self, req)
    }

    fn update_by_query(&self, req: Request<params::UpdateByQuery>) -> HandlerFuture<'_> {
        crate::by_query::update_by_query(self, req)
    }

    fn reindex(&self, req: Request<params::Reindex>) -> HandlerFuture<'_> {
        crate::by_query::reindex(self, req)
    }

    fn delete_by_query_rethrottle(&self, req: Request<params::DeleteByQueryRethrottle>) -> HandlerFuture<'_> {
        crate::by_query::rethrottle(self, req)
    }

    fn terms_enum(&self, req: Request<params::TermsEnum>) -> HandlerFuture<'_> {
        crate::terms_enum::terms_enum(self, req)
    }

    fn indices_field_usage_stats(&self, req: Request<params::IndicesFieldUsageStats>) -> HandlerFuture<'_> {
        crate::field_usage::field_usage_stats(self, req)
    }

    fn indices_disk_usage(&self, req: Request<params::IndicesDiskUsage>) -> HandlerFuture<'_> {
        crate::disk_usage::disk_usage(self, req)
    }

    fn indices_recovery(&self, req: Request<params::IndicesRecovery>) -> HandlerFuture<'_> {
        crate::shard_copies::recovery(self, req)
    }

    fn indices_shard_stores(&self, req: Request<params::IndicesShardStores>) -> HandlerFuture<'_> {
        crate::shard_copies::shard_stores(self, req)
    }

    fn indices_rollover(&self, req: Request<params::IndicesRollover>) -> HandlerFuture<'_> {
        crate::resize::rollover(self, req)
    }

    fn indices_remove_block(&self, req: Request<params::IndicesRemoveBlock>) -> HandlerFuture<'_> {
        crate::indices::remove_block(self, req)
    }

    fn search(&self, req: Request<params::Search>) -> HandlerFuture<'_> {
        crate::search::search(self, req)
    }

    fn scroll(&self, req: Request<params::Scroll>) -> HandlerFuture<'_> {
        crate::search::scroll(self, req)
    }

    fn clear_scroll(&self, req: Request<params::ClearScroll>) -> HandlerFuture<'_> {
        crate::search::clear_scroll(self, req)
    }

    fn msearch(&self, req: Request<params::Msearch>) -> HandlerFuture<'_> {
        crate::search::msearch(self, req)
    }

    fn explain(&self, req: Request<params::Explain>) -> HandlerFuture<'_> {
        crate::search::explain(self, req)
    }

    fn open_point_in_time(&self, req: Request<params::OpenPointInTime>) -> HandlerFuture<'_> {
        crate::search::open_pit(self, req)
    }

    fn close_point_in_time(&self, req: Request<params::ClosePointInTime>) -> HandlerFuture<'_> {
        crate::search::close_pit(self, req)
    }

    fn termvectors(&self, req: Request<params::Termvectors>) -> HandlerFuture<'_> {
        crate::term_vectors::termvectors(self, req)
    }

    fn mtermvectors(&self, req: Request<params::Mtermvectors>) -> HandlerFuture<'_> {
        crate::term_vectors::mtermvectors(self, req)
    }

    fn indices_validate_query(&self, req: Request<params::IndicesValidateQuery>) -> HandlerFuture<'_> {
        crate::validate::validate_query(self, req)
    }

    fn search_shards(&self, req: Request<params::SearchShards>) -> HandlerFuture<'_> {
        crate::search_shards::search_shards(self, req)
    }

    fn field_caps(&self, req: Request<params::FieldCaps>) -> HandlerFuture<'_> {
        crate::field_caps::field_caps(self, req)
    }

    fn count(&self, req: Request<params::Count>) -> HandlerFuture<'_> {
        crate::search::count(self, req)
    }

    fn indices_get_settings(&self, req: Request<params::IndicesGetSettings>) -> HandlerFuture<'_> {
        crate::indices::get_settings(self, req)
    }

    fn indices_put_index_template(&self, req: Request<params::IndicesPutIndexTemplate>) -> HandlerFuture<'_> {
        crate::templates::put_index_template(self, req)
    }

    fn indices_get_index_template(&self, req: Request<params::IndicesGetIndexTemplate>) -> HandlerFuture<'_> {
        crate::templates::get_index_template(self, req)
    }

    fn indices_exists_index_template(&self, req: Request<params::IndicesExistsIndexTemplate>) -> HandlerFuture<'_> {
        crate::templates::exists_index_template(self, req)
    }

    fn indices_delete_index_template(&self, req: Request<params::IndicesDeleteIndexTemplate>) -> HandlerFuture<'_> {
        crate::templates::delete_index_template(self, req)
    }

    fn cluster_put_component_template(&self, req: Request<params::ClusterPutComponentTemplate>) -> HandlerFuture<'_> {
        crate::templates::put_component_template(self, req)
    }

    fn cluster_get_component_template(&self, req: Request<params::ClusterGetComponentTemplate>) -> HandlerFuture<'_> {
        crate::templates::get_component_template(self, req)
    }

    fn cluster_exists_component_template(
        &self,
        req: Request<params::ClusterExistsComponentTemplate>,
    ) -> HandlerFuture<'_> {
        crate::templates::exists_component_template(self, req)
    }

    fn cluster_delete_component_template(
        &self,
        req: Request<params::ClusterDeleteComponentTemplate>,
    ) -> HandlerFuture<'_> {
        crate::templates::delete_component_template(self, req)
    }

    fn indices_put_template(&self, req: Request<params::IndicesPutTemplate>) -> HandlerFuture<'_> {
        crate::templates::put_template(self, req)
    }

    fn indices_get_template(&self, req: Request<params::IndicesGetTemplate>) -> HandlerFuture<'_> {
        crate::templates::get_template(self, req)
    }

    fn indices_exists_template(&self, req: Request<params::IndicesExistsTemplate>) -> HandlerFuture<'_> {
        crate::templates::exists_template(self, req)
    }

    fn indices_delete_template(&self, req: Request<params::IndicesDeleteTemplate>) -> HandlerFuture<'_> {
        crate::templates::delete_template(self, req)
    }

    fn indices_simulate_index_template(&self, req: Request<params::IndicesSimulateIndexTemplate>) -> HandlerFuture<'_> {
        crate::templates::simulate_index_template(self, req)
    }

    fn indices_simulate_template(&self, req: Request<params::IndicesSimulateTemplate>) -> HandlerFuture<'_> {
        crate::templates::simulate_template(self, req)
    }
}
