"""Query engines behind the replay handlers (metric buckets and math, filter patterns, Logs Insights, X-Ray filters)."""
