"""Query rules (Q codes): one statement, with the schema snapshot and statistics if given."""

from redshift_optimizer.rules.query import (
    q001_select_star,
    q002_cartesian_join,
    q003_non_sargable_sortkey_predicate,
    q004_leading_wildcard_like,
    q005_not_in_subquery,
    q006_union_distinct,
    q007_useless_subquery_order_by,
    q008_exact_count_distinct_large,
    q009_unfiltered_large_scan,
    q010_filter_not_on_sortkey,
    q011_non_collocated_join,
    q012_correlated_subquery,
    q013_cte_referenced_multiple_times,
    q014_distinct_with_group_by,
    q015_or_in_join_condition,
    q016_type_mismatch_comparison,
    q017_limit_without_order_by,
    q018_repeated_table_scan,
    q019_nested_loop_join_risk,
)

RULES = [
    module.RULE
    for module in (
        q001_select_star,
        q002_cartesian_join,
        q003_non_sargable_sortkey_predicate,
        q004_leading_wildcard_like,
        q005_not_in_subquery,
        q006_union_distinct,
        q007_useless_subquery_order_by,
        q008_exact_count_distinct_large,
        q009_unfiltered_large_scan,
        q010_filter_not_on_sortkey,
        q011_non_collocated_join,
        q012_correlated_subquery,
        q013_cte_referenced_multiple_times,
        q014_distinct_with_group_by,
        q015_or_in_join_condition,
        q016_type_mismatch_comparison,
        q017_limit_without_order_by,
        q018_repeated_table_scan,
        q019_nested_loop_join_risk,
    )
]
