"""A Terraform apply lowers the provisioned write capacity of the ledger's DynamoDB table; writes throttle."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from evals.bundle import Bundle
from evals.suites.fresh._kit_c import (
    REGIONS,
    UA_NODE,
    UA_TF,
    AlarmSpec,
    Kit,
    Principal,
    ct_date,
    diurnal,
    iam_role,
    iso,
    kms_decrypts,
    lambda_config,
    lambda_invocation,
    lambda_stream,
    log_group,
    pick_day,
    routine_reads,
    spread_times,
)

NAME = "ledger-write-capacity-cut"
TITLE = "ledger API returning 5xx on entry writes"
SUMMARY = "A Terraform apply cut ledger-entries' provisioned WCU from 1200 to 150; PutItem throttles and POST /entries fails."

DDB = "dynamodb.amazonaws.com"


def build(seed: int) -> Bundle:
    kit = Kit(NAME, seed)
    region, utc_off, _tz = REGIONS[kit.rng.randrange(3)]
    kit.region = region
    day = pick_day(kit)
    onset_local_h = kit.rng.uniform(10.0, 15.5)
    change = day + timedelta(hours=onset_local_h - utc_off, seconds=kit.rng.randint(0, 59))
    start = change - timedelta(hours=kit.rng.uniform(5.0, 6.5))
    start = start.replace(second=0, microsecond=0)
    now = change + timedelta(minutes=kit.rng.randint(42, 70))
    now = now.replace(microsecond=0)

    env = kit.rng.choice(["prod", "production"])
    table = "ledger-entries"
    table_arn = kit.arn("dynamodb", f"table/{table}")
    idem = "ledger-idempotency-keys"
    old_wcu = 1200
    new_wcu = kit.rng.choice([100, 150, 200])
    read_cap = kit.rng.choice([700, 800, 900])
    peak_wcu = kit.rng.uniform(520, 640)  # consumed WCU/s at the afternoon peak
    burst_s = kit.rng.uniform(150, 260)  # seconds of retained burst before throttling starts
    throttle_at = change + timedelta(seconds=burst_s)

    fn_post = f"ledger-api-{env}-postEntry"
    fn_get = f"ledger-api-{env}-getBalance"
    fn_export = f"ledger-statement-export-{env}"
    api_name = f"ledger-api-{env}"
    api_id = kit.upper(10).lower()
    stage = "v1"

    created = day - timedelta(days=kit.rng.randint(300, 700))
    # --- resources ------------------------------------------------------------------------------
    role_api = iam_role(kit, f"ledger-api-{env}-lambda", created, "lambda.amazonaws.com")
    role_exp = iam_role(
        kit, f"ledger-statement-export-{env}", created + timedelta(days=40), "lambda.amazonaws.com"
    )
    key_id = kit.uuid()
    key_arn = kit.arn("kms", f"key/{key_id}")
    kit.res(
        "kms",
        "KeyMetadata",
        {
            "AWSAccountId": kit.account,
            "KeyId": key_id,
            "Arn": key_arn,
            "CreationDate": iso(created),
            "Enabled": True,
            "Description": "ledger data at rest",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "KeyState": "Enabled",
            "Origin": "AWS_KMS",
            "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "MultiRegion": False,
        },
    )
    up = change - timedelta(minutes=kit.rng.randint(12, 25))
    last_decrease = change - timedelta(days=kit.rng.randint(20, 90))
    table_item = {
        "AttributeDefinitions": [
            {"AttributeName": "accountId", "AttributeType": "S"},
            {"AttributeName": "entryId", "AttributeType": "S"},
            {"AttributeName": "postedAt", "AttributeType": "S"},
        ],
        "TableName": table,
        "KeySchema": [
            {"AttributeName": "accountId", "KeyType": "HASH"},
            {"AttributeName": "entryId", "KeyType": "RANGE"},
        ],
        "TableStatus": "ACTIVE",
        "CreationDateTime": iso(created),
        "ProvisionedThroughput": {
            "LastIncreaseDateTime": iso(up + timedelta(seconds=1)),
            "LastDecreaseDateTime": iso(change + timedelta(seconds=2)),
            "NumberOfDecreasesToday": 1,
            "ReadCapacityUnits": read_cap,
            "WriteCapacityUnits": new_wcu,
        },
        "TableSizeBytes": kit.rng.randint(180, 420) * 10**9,
        "ItemCount": kit.rng.randint(400, 900) * 10**6,
        "TableArn": table_arn,
        "TableId": kit.uuid(),
        "BillingModeSummary": {
            "BillingMode": "PROVISIONED",
            "LastUpdateToPayPerRequestDateTime": iso(created),
        },
        "LocalSecondaryIndexes": [
            {
                "IndexName": "byPostedAt",
                "KeySchema": [
                    {"AttributeName": "accountId", "KeyType": "HASH"},
                    {"AttributeName": "postedAt", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "IndexSizeBytes": kit.rng.randint(20, 60) * 10**9,
                "ItemCount": kit.rng.randint(400, 900) * 10**6,
                "IndexArn": f"{table_arn}/index/byPostedAt",
            }
        ],
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        "LatestStreamLabel": (created + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S.000"),
        "LatestStreamArn": f"{table_arn}/stream/{(created + timedelta(days=3)).strftime('%Y-%m-%dT%H:%M:%S.000')}",
        "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key_arn},
        "DeletionProtectionEnabled": True,
    }
    kit.res("dynamodb", "TableDescription", table_item)
    kit.res(
        "dynamodb",
        "TableDescription",
        {
            "AttributeDefinitions": [{"AttributeName": "idempotencyKey", "AttributeType": "S"}],
            "TableName": idem,
            "KeySchema": [{"AttributeName": "idempotencyKey", "KeyType": "HASH"}],
            "TableStatus": "ACTIVE",
            "CreationDateTime": iso(created + timedelta(days=12)),
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "TableSizeBytes": kit.rng.randint(2, 9) * 10**9,
            "ItemCount": kit.rng.randint(10, 40) * 10**6,
            "TableArn": kit.arn("dynamodb", f"table/{idem}"),
            "TableId": kit.uuid(),
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": iso(created + timedelta(days=12)),
            },
            "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key_arn},
            "DeletionProtectionEnabled": True,
        },
    )
    kit.res(
        "application-autoscaling",
        "ScalableTarget",
        {
            "ServiceNamespace": "dynamodb",
            "ResourceId": f"table/{table}",
            "ScalableDimension": "dynamodb:table:ReadCapacityUnits",
            "MinCapacity": 400,
            "MaxCapacity": 2400,
            "RoleARN": f"arn:aws:iam::{kit.account}:role/aws-service-role/dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
            "CreationTime": iso(created + timedelta(days=1)),
            "SuspendedState": {
                "DynamicScalingInSuspended": False,
                "DynamicScalingOutSuspended": False,
                "ScheduledScalingSuspended": False,
            },
        },
    )
    lambdas = {
        fn_post: ("nodejs20.x", "dist/handlers/postEntry.handler", role_api["Arn"], 512, 10),
        fn_get: ("nodejs20.x", "dist/handlers/getBalance.handler", role_api["Arn"], 512, 10),
        fn_export: ("python3.12", "export.handler", role_exp["Arn"], 1024, 300),
    }
    for fn, (runtime, handler, role, mem, timeout) in lambdas.items():
        envvars = {"TABLE_NAME": table, "IDEMPOTENCY_TABLE": idem, "LOG_LEVEL": "info"}
        if fn == fn_export:
            envvars = {"TABLE_NAME": table, "EXPORT_BUCKET": f"ledger-statements-{env}-{kit.account}"}
        kit.res(
            "lambda",
            "FunctionConfiguration",
            lambda_config(
                kit,
                fn,
                runtime,
                handler,
                role,
                mem,
                timeout,
                change - timedelta(days=kit.rng.randint(3, 30)),
                envvars,
            ),
        )
        log_group(kit, f"/aws/lambda/{fn}", created)
    kit.res(
        "apigateway",
        "RestApi",
        {
            "id": api_id,
            "name": api_name,
            "createdDate": iso(created),
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "disableExecuteApiEndpoint": False,
            "rootResourceId": kit.hex(10),
        },
    )
    deployment = kit.hex(6)
    kit.res(
        "apigateway",
        "RestApiStage",
        {
            "restApiId": api_id,
            "deploymentId": deployment,
            "stageName": stage,
            "cacheClusterEnabled": False,
            "cacheClusterStatus": "NOT_AVAILABLE",
            "methodSettings": {},
            "tracingEnabled": False,
            "createdDate": iso(created),
            "lastUpdatedDate": iso(change - timedelta(days=kit.rng.randint(3, 30))),
        },
    )

    # --- traffic ----------------------------------------------------------------------------------
    def wcu_demand(t: datetime) -> float:
        return peak_wcu * diurnal(t, utc_off, 0.25) * (1 + kit.rng.gauss(0, 0.04))

    def cap(t: datetime) -> float:
        return old_wcu if t < change else new_wcu

    ddb = "AWS/DynamoDB"
    agw = "AWS/ApiGateway"
    lam = "AWS/Lambda"
    tdim = {"TableName": table}
    api_dims = {"ApiName": api_name, "Stage": stage}
    minute_state: dict[datetime, tuple[float, float]] = {}
    t = start
    while t <= now:
        demand = wcu_demand(t)  # WCU/s requested
        if t + timedelta(seconds=60) <= throttle_at or t < throttle_at:
            consumed = demand
        else:
            consumed = min(demand * 1.0, cap(t) * kit.rng.uniform(0.97, 1.0))
        # requests: each entry is 2 WCU; SDK retries 3 attempts; a rejected attempt costs nothing
        writes_req = demand / 2 * 60
        ok_writes = consumed / 2 * 60
        failed_attempts = max(0.0, writes_req - ok_writes) * (2.4 if t >= throttle_at else 0)
        failed_calls = max(0.0, writes_req - ok_writes) if t >= throttle_at else 0.0
        minute_state[t] = (writes_req, failed_calls)
        kit.put(ddb, "ConsumedWriteCapacityUnits", tdim, t, round(consumed * 60, 1), "Count")
        reads = read_cap * 0.42 * diurnal(t, utc_off, 0.3) * (1 + kit.rng.gauss(0, 0.05))
        kit.put(ddb, "ConsumedReadCapacityUnits", tdim, t, round(reads * 60, 1), "Count")
        kit.put(
            ddb,
            "ConsumedWriteCapacityUnits",
            {"TableName": idem},
            t,
            round(writes_req * kit.rng.uniform(0.98, 1.02), 1),
        )
        kit.put(
            ddb,
            "ConsumedReadCapacityUnits",
            {"TableName": idem},
            t,
            round(writes_req * 0.5 * kit.rng.uniform(0.97, 1.03), 1),
        )
        if t.minute % 5 == 0:
            kit.put(ddb, "ProvisionedWriteCapacityUnits", tdim, t, float(cap(t)), "Count")
            kit.put(
                ddb,
                "ProvisionedReadCapacityUnits",
                tdim,
                t,
                float(read_cap if t >= up else read_cap - 100),
                "Count",
            )
        put_lat = kit.noise(6.2, 0.08)
        kit.put(
            ddb,
            "SuccessfulRequestLatency",
            {**tdim, "Operation": "PutItem"},
            t,
            put_lat,
            "Milliseconds",
            samples=max(1, int(ok_writes)),
            spread=(2.9, put_lat * kit.rng.uniform(4, 9)),
        )
        q_lat = kit.noise(4.8, 0.08)
        qn = int(reads * 60 / 3)
        kit.put(
            ddb,
            "SuccessfulRequestLatency",
            {**tdim, "Operation": "Query"},
            t,
            q_lat,
            "Milliseconds",
            samples=max(1, qn),
            spread=(2.1, q_lat * kit.rng.uniform(4, 8)),
        )
        if failed_attempts > 0:
            kit.put(ddb, "WriteThrottleEvents", tdim, t, round(failed_attempts), "Count")
            kit.put(
                ddb, "ThrottledRequests", {**tdim, "Operation": "PutItem"}, t, round(failed_attempts), "Count"
            )

        # Lambda postEntry: one invocation per write; a throttled write is caught and returns 500.
        inv_post = writes_req
        kit.put(lam, "Invocations", {"FunctionName": fn_post}, t, round(inv_post), "Count")
        kit.put(lam, "Errors", {"FunctionName": fn_post}, t, 0.0, "Count")
        slow = failed_calls / max(1.0, inv_post)
        med = 38 + 260 * min(1.0, slow * 1.6) if t >= throttle_at else 38
        tail = 120 if t < throttle_at else 900
        vals, counts = kit.latency_dist(kit.noise(med, 0.05), kit.noise(tail, 0.06), int(inv_post))
        kit.put_dist(lam, "Duration", {"FunctionName": fn_post}, t, vals, counts, "Milliseconds")
        conc = inv_post / 60 * (med / 1000) * kit.rng.uniform(1.3, 1.8)
        kit.put(lam, "ConcurrentExecutions", {"FunctionName": fn_post}, t, max(1, round(conc + 1)), "Count")
        inv_get = reads * 60 / 3 * kit.rng.uniform(0.9, 1.1)
        kit.put(lam, "Invocations", {"FunctionName": fn_get}, t, round(inv_get), "Count")
        kit.put(lam, "Errors", {"FunctionName": fn_get}, t, 0.0, "Count")
        vals, counts = kit.latency_dist(kit.noise(24, 0.05), kit.noise(85, 0.08), int(inv_get))
        kit.put_dist(lam, "Duration", {"FunctionName": fn_get}, t, vals, counts, "Milliseconds")

        total = inv_post + inv_get + kit.rng.uniform(20, 60)
        e4 = round(total * kit.rng.uniform(0.004, 0.009))
        e5 = round(failed_calls) + (1 if kit.rng.random() < 0.04 else 0)
        kit.put(agw, "Count", api_dims, t, round(total), "Count")
        kit.put(agw, "4XXError", api_dims, t, float(e4), "Count")
        kit.put(agw, "5XXError", api_dims, t, float(e5), "Count")
        lat = kit.noise(med * (inv_post / total) + 24 * (inv_get / total) + 11, 0.04)
        kit.put(agw, "Latency", api_dims, t, lat, "Milliseconds", samples=int(total), spread=(6, lat * 8))
        kit.put(
            agw,
            "IntegrationLatency",
            api_dims,
            t,
            lat - 9,
            "Milliseconds",
            samples=int(total),
            spread=(4, lat * 8),
        )
        t += timedelta(minutes=1)

    # export job: nightly, so no metrics in this window except a quiet zero-free gap (AWS omits nothing here:
    # a function with no invocations simply has no datapoints).

    # --- logs -------------------------------------------------------------------------------------
    post_group = f"/aws/lambda/{fn_post}"
    get_group = f"/aws/lambda/{fn_get}"
    streams_post = [lambda_stream(kit, day) for _ in range(4)]
    streams_get = [lambda_stream(kit, day) for _ in range(3)]
    t = start
    while t <= now:
        writes_req, failed_calls = minute_state.get(t.replace(second=0), (0.0, 0.0))
        for _ in range(2):
            at = kit.jitter(t, 59)
            entry = f"e_{kit.hex(20)}"
            line = json.dumps(
                {
                    "level": "info",
                    "msg": "ledger entry posted",
                    "entryId": entry,
                    "accountId": f"acc_{kit.hex(12)}",
                    "amountMinor": kit.rng.randint(100, 250000),
                    "currency": kit.rng.choice(["USD", "EUR", "GBP"]),
                    "latencyMs": kit.rng.randint(9, 30),
                },
                separators=(",", ":"),
            )
            lambda_invocation(
                kit,
                post_group,
                kit.rng.choice(streams_post),
                at,
                kit.rng.uniform(28, 60),
                512,
                kit.rng.randint(96, 128),
                [("INFO", line)],
            )
        at = kit.jitter(t, 59)
        lambda_invocation(
            kit,
            get_group,
            kit.rng.choice(streams_get),
            at,
            kit.rng.uniform(14, 40),
            512,
            kit.rng.randint(88, 110),
        )
        if failed_calls > 0:
            for _ in range(min(6, 2 + int(failed_calls / 400))):
                at = kit.jitter(t, 59)
                req = kit.upper(52)
                err = json.dumps(
                    {
                        "level": "error",
                        "msg": "failed to write ledger entry",
                        "accountId": f"acc_{kit.hex(12)}",
                        "err": {
                            "name": "ProvisionedThroughputExceededException",
                            "message": "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
                            "$fault": "client",
                            "$metadata": {
                                "httpStatusCode": 400,
                                "requestId": req,
                                "attempts": 3,
                                "totalRetryDelay": kit.rng.randint(180, 520),
                            },
                        },
                    },
                    separators=(",", ":"),
                )
                lambda_invocation(
                    kit,
                    post_group,
                    kit.rng.choice(streams_post),
                    at,
                    kit.rng.uniform(600, 1400),
                    512,
                    kit.rng.randint(110, 130),
                    [("ERROR", err)],
                )
        if kit.rng.random() < 0.02:
            at = kit.jitter(t, 59)
            warn = json.dumps(
                {
                    "level": "warn",
                    "msg": "duplicate idempotency key, returning stored response",
                    "idempotencyKey": kit.uuid(),
                },
                separators=(",", ":"),
            )
            lambda_invocation(
                kit,
                post_group,
                kit.rng.choice(streams_post),
                at,
                kit.rng.uniform(15, 25),
                512,
                101,
                [("WARN", warn)],
            )
        t += timedelta(minutes=1)

    # --- CloudTrail -------------------------------------------------------------------------------
    runner_ip = f"{kit.rng.choice([20, 52, 172, 4])}.{kit.rng.randint(1, 254)}.{kit.rng.randint(1, 254)}.{kit.rng.randint(1, 254)}"
    apply_start = change - timedelta(seconds=kit.rng.randint(70, 140))
    ci = kit.role_session(
        "gha-ledger-terraform",
        "GitHubActions",
        UA_TF.format(api="dynamodb#1.31.1"),
        runner_ip,
        creation=apply_start - timedelta(seconds=40),
    )
    ci.identity["sessionContext"]["webIdFederationData"] = {
        "federatedProvider": f"arn:aws:iam::{kit.account}:oidc-provider/token.actions.githubusercontent.com",
        "attributes": {},
    }
    ci_lambda = Principal(ci.identity, ci.ip, UA_TF.format(api="lambda#1.53.0"))
    ci_api = Principal(ci.identity, ci.ip, UA_TF.format(api="apigateway#1.23.7"))
    # terraform refresh: reads of everything in the stack
    t = apply_start - timedelta(seconds=95)
    for tb in (table, idem):
        for name in (
            "DescribeTable",
            "DescribeContinuousBackups",
            "DescribeTimeToLive",
            "ListTagsOfResource",
        ):
            params = (
                {"tableName": tb}
                if name != "ListTagsOfResource"
                else {"resourceArn": kit.arn("dynamodb", f"table/{tb}")}
            )
            kit.ct(kit.jitter(t, 6), ci, DDB, name, params, None, read_only=True)
        t += timedelta(seconds=4)
    for fn in (fn_post, fn_get):
        kit.ct(
            kit.jitter(t, 5),
            ci_lambda,
            "lambda.amazonaws.com",
            "GetFunction20150331v2",
            {"functionName": fn},
            None,
            read_only=True,
        )
    kit.ct(
        kit.jitter(t, 5),
        ci_api,
        "apigateway.amazonaws.com",
        "GetRestApi",
        {"restApiId": api_id},
        None,
        read_only=True,
    )
    kit.ct(
        kit.jitter(t, 8),
        ci_api,
        "apigateway.amazonaws.com",
        "GetStage",
        {"restApiId": api_id, "stageName": stage},
        None,
        read_only=True,
    )
    kit.ct(
        kit.jitter(t, 8),
        ci,
        "application-autoscaling.amazonaws.com",
        "DescribeScalableTargets",
        {"serviceNamespace": "dynamodb", "resourceIds": [f"table/{table}"]},
        None,
        read_only=True,
    )
    # the apply: UpdateTable on ledger-entries, then an env-var change on getBalance
    kit.ct(
        change,
        ci,
        DDB,
        "UpdateTable",
        {
            "tableName": table,
            "provisionedThroughput": {"readCapacityUnits": read_cap, "writeCapacityUnits": new_wcu},
        },
        {
            "tableDescription": {
                "tableName": table,
                "tableArn": table_arn,
                "tableId": table_item["TableId"],
                "tableStatus": "UPDATING",
                "creationDateTime": ct_date(created),
                "provisionedThroughput": {
                    "lastIncreaseDateTime": ct_date(up + timedelta(seconds=1)),
                    "lastDecreaseDateTime": ct_date(last_decrease),
                    "numberOfDecreasesToday": 0,
                    "readCapacityUnits": read_cap,
                    "writeCapacityUnits": old_wcu,
                },
                "billingModeSummary": {"billingMode": "PROVISIONED"},
                "tableSizeBytes": table_item["TableSizeBytes"],
                "itemCount": table_item["ItemCount"],
                "deletionProtectionEnabled": True,
            }
        },
        resources=[{"accountId": kit.account, "type": "AWS::DynamoDB::Table", "ARN": table_arn}],
    )
    for _ in range(3):
        kit.ct(
            kit.jitter(change + timedelta(seconds=3), 20),
            ci,
            DDB,
            "DescribeTable",
            {"tableName": table},
            None,
            read_only=True,
        )
    env_change = change + timedelta(seconds=kit.rng.randint(25, 45))
    kit.ct(
        env_change,
        ci_lambda,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": fn_get, "environment": {}},
        {
            "functionName": fn_get,
            "functionArn": kit.arn("lambda", f"function:{fn_get}"),
            "runtime": "nodejs20.x",
            "role": role_api["Arn"],
            "handler": "dist/handlers/getBalance.handler",
            "codeSize": kit.rng.randint(800000, 2000000),
            "timeout": 10,
            "memorySize": 512,
            "lastModified": env_change.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "version": "$LATEST",
            "environment": {},
            "tracingConfig": {"mode": "PassThrough"},
            "revisionId": kit.uuid(),
            "state": "Active",
            "lastUpdateStatus": "InProgress",
            "lastUpdateStatusReason": "The function is being created.",
            "lastUpdateStatusReasonCode": "Creating",
            "packageType": "Zip",
            "architectures": ["arm64"],
        },
    )

    # application auto scaling raised read capacity on the same table earlier (routine)
    scaler = kit.service_role(
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        "ApplicationAutoScaling",
        "application-autoscaling.amazonaws.com",
        creation=start,
    )
    kit.ct(
        up,
        scaler,
        DDB,
        "UpdateTable",
        {
            "tableName": table,
            "provisionedThroughput": {"readCapacityUnits": read_cap, "writeCapacityUnits": old_wcu},
        },
        {
            "tableDescription": {
                "tableName": table,
                "tableStatus": "UPDATING",
                "provisionedThroughput": {
                    "readCapacityUnits": read_cap - 100,
                    "writeCapacityUnits": old_wcu,
                    "numberOfDecreasesToday": 0,
                },
            }
        },
        resources=[{"accountId": kit.account, "type": "AWS::DynamoDB::Table", "ARN": table_arn}],
    )
    kit.ct(
        kit.jitter(up - timedelta(seconds=3), 2),
        scaler,
        DDB,
        "DescribeTable",
        {"tableName": table},
        None,
        read_only=True,
    )

    # a human tidying up another function, and a log retention change
    human = kit.sso_user(
        kit.rng.choice(["priya.raman", "tom.okafor", "lena.fischer"]) + "@ledgerly.io",
        "PlatformEngineer",
        creation=change - timedelta(minutes=50),
    )
    t_h = change - timedelta(minutes=kit.rng.randint(14, 26))
    kit.ct(
        kit.jitter(t_h - timedelta(minutes=3), 60),
        human,
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        {"functionName": fn_export},
        None,
        read_only=True,
    )
    kit.ct(
        t_h,
        human,
        "lambda.amazonaws.com",
        "UpdateFunctionConfiguration20150331v2",
        {"functionName": fn_export, "memorySize": 2048, "timeout": 600},
        {
            "functionName": fn_export,
            "functionArn": kit.arn("lambda", f"function:{fn_export}"),
            "runtime": "python3.12",
            "memorySize": 2048,
            "timeout": 600,
            "lastUpdateStatus": "InProgress",
            "state": "Active",
            "version": "$LATEST",
        },
    )
    kit.ct(
        t_h + timedelta(minutes=kit.rng.randint(3, 8)),
        human,
        "logs.amazonaws.com",
        "PutRetentionPolicy",
        {"logGroupName": f"/aws/lambda/{fn_export}", "retentionInDays": 90},
        None,
    )

    # routine reads and decrypts
    obs = kit.role_session(
        "observability-readonly",
        f"cw-poller-{kit.hex(8)}",
        "aws-sdk-go/1.51.21 (go1.22.1; linux; amd64)",
        kit.public_ip(),
        creation=start,
    )
    routine_reads(
        kit,
        start,
        now,
        [
            (obs, DDB, "DescribeTable", {"tableName": table}),
            (obs, DDB, "DescribeTable", {"tableName": idem}),
            (obs, DDB, "ListTables", None),
            (obs, "lambda.amazonaws.com", "ListFunctions20150331", None),
            (obs, "apigateway.amazonaws.com", "GetRestApis", None),
            (human, DDB, "DescribeTable", {"tableName": table}),
        ],
        kit.rng.randint(22, 30),
    )
    fn_role = kit.role_session(
        role_api["RoleName"], fn_post, UA_NODE.format(api="kms"), kit.public_ip(), creation=start
    )
    fn_role.identity["accessKeyId"] = "ASIA" + kit.upper(16)
    kms_decrypts(
        kit,
        fn_role,
        key_arn,
        {"aws:dynamodb:tableName": table, "aws:dynamodb:subscriberId": kit.account},
        spread_times(kit, start, now, 8),
    )

    # --- alarms -----------------------------------------------------------------------------------
    topic = kit.arn("sns", f"ledger-oncall-{env}")
    a5 = AlarmSpec(
        f"{api_name}-5xx",
        agw,
        "5XXError",
        api_dims,
        "Sum",
        60,
        3,
        25.0,
        "GreaterThanOrEqualToThreshold",
        treat_missing="notBreaching",
        description="Ledger API server errors (pages ledger on-call)",
        actions=[topic],
        ok_actions=[topic],
    )
    fine_from = start + timedelta(minutes=10)
    trs = kit.alarm(a5, fine_from, now)
    kit.alarm(
        AlarmSpec(
            f"{fn_post}-errors",
            lam,
            "Errors",
            {"FunctionName": fn_post},
            "Sum",
            300,
            1,
            5.0,
            "GreaterThanOrEqualToThreshold",
            treat_missing="notBreaching",
            actions=[topic],
        ),
        fine_from,
        now,
    )
    kit.alarm(
        AlarmSpec(
            f"{fn_get}-errors",
            lam,
            "Errors",
            {"FunctionName": fn_get},
            "Sum",
            300,
            1,
            5.0,
            "GreaterThanOrEqualToThreshold",
            treat_missing="notBreaching",
            actions=[topic],
        ),
        fine_from,
        now,
    )
    kit.alarm(
        AlarmSpec(
            f"{table}-read-throttles",
            ddb,
            "ReadThrottleEvents",
            tdim,
            "Sum",
            300,
            2,
            50.0,
            "GreaterThanOrEqualToThreshold",
            treat_missing="notBreaching",
            actions=[topic],
        ),
        fine_from,
        now,
    )
    kit.alarm(
        AlarmSpec(
            f"{api_name}-latency-high",
            agw,
            "Latency",
            api_dims,
            "Average",
            300,
            3,
            1500.0,
            "GreaterThanThreshold",
            treat_missing="missing",
            actions=[topic],
        ),
        fine_from,
        now,
    )
    first_alarm = next(tr for tr in trs if tr.new == "ALARM")
    event = kit.alarm_event(a5, first_alarm)

    truth = {
        "no_fault": False,
        "root_cause": {
            "resource": table,
            "category": "change",
            "failure_mode": "provisioned-write-capacity-lowered",
            "event_id": next(
                r["eventID"]
                for r in kit.trail
                if r["eventName"] == "UpdateTable" and r["userIdentity"] is ci.identity
            ),
        },
        "also_accept": [table_arn],
        "actions": ["rollback", "scale"],
        "chain": [
            f"UpdateTable by gha-ledger-terraform lowered {table} WriteCapacityUnits from {old_wcu} to {new_wcu}",
            f"PutItem on {table} is throttled (WriteThrottleEvents) once burst capacity is spent",
            f"{fn_post} exhausts SDK retries and returns 500",
            f"{api_name} stage {stage} 5XXError rises and {a5.name} alarms",
        ],
    }
    return kit.bundle(
        {
            "title": TITLE,
            "start": iso(start),
            "end": iso(now),
            "now": iso(now),
            "trigger": {"question": None, "alarm_event": event},
            "truth": truth,
        },
        now,
    )
