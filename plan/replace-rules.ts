/**
 * Which input changes make a provider REPLACE a resource (delete + create) instead of updating it,
 * for every custom resource type this program registers, and which provider-config changes make
 * the engine replace a provider (and so every resource it manages). Used by the offline
 * `--diff`-like plan: no provider plugin runs here, so the facts are transcribed from the
 * providers' source, each with the file (and tag or commit) it was read from.
 *
 * Scope:
 * - Only the input paths this program actually sets are listed (read from components/, index.ts,
 *   providers.ts and deployments/). A ForceNew field the program never sets is left out, so an
 *   empty list means "nothing the program sets forces replacement", not "nothing can".
 * - Paths are SDK input paths (camelCase, as in the SDK's `*Args`), dotted; `[*]` matches any list
 *   index, `*` any map key; a change at the path or anywhere beneath it forces replacement.
 *   Bridged MaxItems:1 blocks are objects in the SDK (`a.b`), real lists are `a[*].b`.
 * - Engine-side options are NOT restated here: `replaceOnChanges` sent at registration (e.g.
 *   FleetDashboard's `properties.zoneRedundancy`, and the `replaceOnChanges` the pulumiservice
 *   SDK adds by itself), `replacementTrigger` (CloudWatchReader's access key), `ignoreChanges`
 *   (which can mask a rule below: GKE cluster `nodeConfig`, node pool `initialNodeCount`) and
 *   `deleteBeforeReplace`. The tool reads those from the registrations separately.
 * - Replacement caused indirectly (an input computed from a replaced resource's output becomes
 *   unknown, or changes, and lands on a path listed here) is the tool's business: it needs these
 *   rules for the downstream resource, nothing more.
 * - Where a provider forces replacement only conditionally, the condition is in the `source`
 *   text; where a conditional rule would mostly be a false positive it is left out and explained
 *   in a comment (Grafana dashboard `configJson`).
 * - Versions: SDKs @pulumi/aws 7.48.0 (terraform-provider-aws v6.6x; the AWS repo is too large to
 *   copy here, so each AWS file was read from the stored snapshot at the commit named in its
 *   rule, not at a release tag), @pulumi/gcp 9.37.0 (built from terraform-provider-google-BETA,
 *   read at v7.45.0, the version pulumi-gcp v9.35.0 pins; nothing newer is stored),
 *   @pulumi/azure-native 3.28.0 (provider source read at the stored snapshot, newest stored),
 *   @pulumi/kubernetes 4.34.2 (pulumi-kubernetes read at master 94977969, newest stored; newest
 *   tag there is v4.32.0), @pulumiverse/grafana 2.40.0 (terraform-provider-grafana v4.44.0, what
 *   pulumiverse/pulumi-grafana master pins), @pulumi/tls 5.6.1 (terraform-provider-tls v4.2.1),
 *   @pulumi/docker-build 0.0.22 (tag v0.0.22), @pulumi/pulumiservice 1.3.0 (tag v1.3.0).
 */

/** One property whose change makes the provider replace the resource (delete + create) rather than update it. */
export interface ReplaceRule {
    /** Input path as the Pulumi SDK sends it (camelCase property names, as in the SDK's .d.ts Args), dotted; `[*]` matches any list index, `*` any map key. A change at this path or anywhere beneath it forces replacement. */
    readonly path: string;
    /** Where this is stated: file path in the upstream repo at a tag/commit, and the field/line (e.g. "terraform-provider-aws v6.x internal/service/elbv2/load_balancer.go: \"name\" ForceNew: true"). */
    readonly source: string;
    /**
     * The rule holds only while the new value is unknown (computed from a resource being
     * replaced); a known change at the path is judged by the other rules. @default false
     */
    readonly onlyWhenUnknown?: boolean;
    /**
     * The property is Optional and Computed in the provider's schema: removing it from the
     * program is no change at all (the provider keeps the value it has: terraform-plugin-sdk
     * helper/schema/schema.go diffString, `if removed && schema.Computed { return nil }`).
     * @default false
     */
    readonly removedIsNoChange?: boolean;
}

const rule = (path: string, source: string): ReplaceRule => ({ path, source });
/** A rule on an Optional + Computed property (see `removedIsNoChange`). */
const computedRule = (path: string, source: string): ReplaceRule => ({
    path,
    source,
    removedIsNoChange: true,
});

// --- Source prefixes -----------------------------------------------------------------------------

/** terraform-provider-aws file at the stored snapshot commit it was read from. */
const tfAws = (commit: string, file: string, field: string): string =>
    `hashicorp/terraform-provider-aws @${commit} internal/service/${file}: ${field}`;
/** terraform-provider-google-beta (what pulumi-gcp is built from) at v7.45.0. */
const tfGoogle = (file: string, field: string): string =>
    `hashicorp/terraform-provider-google-beta v7.45.0 google-beta/${file}: ${field}`;
const K8S_DIFF = "pulumi/pulumi-kubernetes @94977969 (master) provider/pkg/provider";
const AZN_DIFF =
    "pulumi/pulumi-azure-native @03707ff7 provider/pkg/provider/diff.go calculateDetailedDiff";
const AZN_FORCENEW_MAP =
    "pulumi/pulumi-azure-native @1b7112af provider/pkg/gen/replacement.go forceNewMap";
const AZN_LOCATION =
    "location is create-only via x-ms-mutability [read, create] -> ForceNew (pulumi-azure-native @000c5318 provider/pkg/gen/properties.go forceNew/propChangeForcesRecreate)";
const tfGrafana = (file: string, field: string): string =>
    `grafana/terraform-provider-grafana v4.44.0 internal/resources/grafana/${file}: ${field}`;
const pulumiService = (file: string, field: string): string =>
    `pulumi/pulumi-pulumiservice v1.3.0 provider/pkg/resources/${file}: ${field}`;

// --- Kubernetes (pulumi-kubernetes Diff) -----------------------------------------------------------

/**
 * Every kind: a changed name or namespace is a new object (provider.go Diff:
 * `forceNewFields := []string{".metadata.name", ".metadata.namespace"}`, and diff.go
 * metadataForceNewProperties). The program always sets explicit names (no autonaming), so a
 * replacement reuses the name and the provider asks for delete-before-replace.
 */
const K8S_IDENTITY: readonly ReplaceRule[] = [
    rule(
        "metadata.name",
        `${K8S_DIFF}/provider.go:1560 Diff forceNewFields ".metadata.name"; diff.go:209 metadataForceNewProperties`,
    ),
    rule(
        "metadata.namespace",
        `${K8S_DIFF}/provider.go:1560 Diff forceNewFields ".metadata.namespace"; diff.go metadataForceNewProperties`,
    ),
];

/** Kinds with no entry in diff.go's `forceNew` table (or only for API versions we do not use). */
const k8sIdentityOnly = (why: string): readonly ReplaceRule[] =>
    K8S_IDENTITY.map((r) => rule(r.path, `${r.source} (${why})`));

// --- Azure Native ---------------------------------------------------------------------------------

/** A PUT path parameter: azure-native replaces on any change of it. */
const azPath = (path: string, api: string): ReplaceRule =>
    rule(
        path,
        `${AZN_DIFF}: every PUT parameter with Location == "path" is a replace key ("${path}" is a path parameter of ${api})`,
    );

export const REPLACE_ON_CHANGE: Readonly<Record<string, readonly ReplaceRule[]>> = {
    // ============================== AWS (terraform-provider-aws v6) ==============================
    // Not listed anywhere below, but true for every REGIONAL AWS resource here (all but IAM): v6
    // adds a top-level `region` that defaults to the provider's region in CustomizeDiff and forces
    // replacement when it changes (internal/provider/sdkv2/region.go defaultRegion +
    // forceNewIfRegionChanges). The program never sets `region`, so the change arrives through the
    // aws provider's `region` config; see PROVIDER_REPLACE_ON_CHANGE["pulumi:providers:aws"].
    "aws:autoscaling/group:Group": [
        rule(
            "namePrefix",
            tfAws("00a919d1", "autoscaling/group.go", '"name_prefix" ForceNew: true'),
        ),
        // Everything else the group sets (sizes, vpcZoneIdentifiers, launchTemplate,
        // targetGroupArns, instanceRefresh, serviceLinkedRoleArn, tags...) goes through
        // UpdateAutoScalingGroup / attach-detach calls in resourceGroupUpdate.
    ],
    "aws:autoscaling/policy:Policy": [
        rule(
            "autoscalingGroupName",
            tfAws("007ce0a8", "autoscaling/policy.go", '"autoscaling_group_name" ForceNew: true'),
        ),
    ],
    "aws:cloudwatch/logGroup:LogGroup": [
        rule("namePrefix", tfAws("0073593e", "logs/group.go", '"name_prefix" ForceNew: true')),
    ],
    // Only alarm_name is ForceNew (autonamed, not set); every other field is PutMetricAlarm.
    "aws:cloudwatch/metricAlarm:MetricAlarm": [],
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": [
        rule(
            "vpcId",
            tfAws("01f43111", "ec2/vpc_default_security_group.go", '"vpc_id" ForceNew: true'),
        ),
    ],
    "aws:ec2/eip:Eip": [
        rule("domain", tfAws("01606926", "ec2/ec2_eip.go", '"domain" ForceNew: true')),
    ],
    // vpc_id is Optional+Computed and updated by detach/attach (resourceInternetGatewayUpdate).
    "aws:ec2/internetGateway:InternetGateway": [],
    // Only name/name_prefix are ForceNew (not set); imageId, instanceType, userData, block devices,
    // network interfaces, metadata options... are updateKeys that create a new template version.
    "aws:ec2/launchTemplate:LaunchTemplate": [],
    "aws:ec2/natGateway:NatGateway": [
        rule(
            "allocationId",
            tfAws("04088eaa", "ec2/vpc_nat_gateway.go", '"allocation_id" ForceNew: true'),
        ),
        rule("subnetId", tfAws("04088eaa", "ec2/vpc_nat_gateway.go", '"subnet_id" ForceNew: true')),
    ],
    "aws:ec2/route:Route": [
        rule(
            "routeTableId",
            tfAws("0128541e", "ec2/vpc_route.go", '"route_table_id" ForceNew: true'),
        ),
        rule(
            "destinationCidrBlock",
            tfAws("0128541e", "ec2/vpc_route.go", '"destination_cidr_block" ForceNew: true'),
        ),
        // gatewayId / natGatewayId are targets: ReplaceRoute in resourceRouteUpdate.
    ],
    "aws:ec2/routeTable:RouteTable": [
        rule("vpcId", tfAws("02209241", "ec2/vpc_route_table.go", '"vpc_id" ForceNew: true')),
    ],
    "aws:ec2/routeTableAssociation:RouteTableAssociation": [
        rule(
            "subnetId",
            tfAws("0be71beb", "ec2/vpc_route_table_association.go", '"subnet_id" ForceNew: true'),
        ),
        // route_table_id is updated in place (ReplaceRouteTableAssociation).
    ],
    "aws:ec2/securityGroup:SecurityGroup": [
        rule("vpcId", tfAws("01606926", "ec2/vpc_security_group.go", '"vpc_id" ForceNew: true')),
        rule(
            "description",
            tfAws("01606926", "ec2/vpc_security_group.go", '"description" ForceNew: true'),
        ),
    ],
    "aws:ec2/subnet:Subnet": [
        rule("vpcId", tfAws("00cda125", "ec2/vpc_subnet.go", '"vpc_id" ForceNew: true')),
        rule(
            "availabilityZone",
            tfAws("00cda125", "ec2/vpc_subnet.go", '"availability_zone" ForceNew: true'),
        ),
        rule("cidrBlock", tfAws("00cda125", "ec2/vpc_subnet.go", '"cidr_block" ForceNew: true')),
    ],
    "aws:ec2/vpc:Vpc": [
        rule("cidrBlock", tfAws("00081ce4", "ec2/vpc_.go", '"cidr_block" ForceNew: true')),
    ],
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": [
        rule(
            "repository",
            tfAws("00a35305", "ecr/lifecycle_policy.go", '"repository" ForceNew: true'),
        ),
        rule(
            "policy",
            tfAws(
                "00a35305",
                "ecr/lifecycle_policy.go",
                '"policy" ForceNew: true (the resource has no Update)',
            ),
        ),
    ],
    "aws:ecr/repository:Repository": [
        rule("name", tfAws("0072eea2", "ecr/repository.go", '"name" ForceNew: true')),
        rule(
            "encryptionConfigurations",
            tfAws(
                "0072eea2",
                "ecr/repository.go",
                '"encryption_configuration" ForceNew: true, and its "encryption_type"/"kms_key" ForceNew: true',
            ),
        ),
        // imageTagMutability(+ExclusionFilters) and imageScanningConfiguration are Put* updates.
    ],
    "aws:iam/accessKey:AccessKey": [
        rule("user", tfAws("1271cd22", "iam/access_key.go", '"user" ForceNew: true')),
    ],
    // role is updated by remove/add role (resourceInstanceProfileUpdate); name/path not set.
    "aws:iam/instanceProfile:InstanceProfile": [],
    "aws:iam/role:Role": [
        // Only CloudWatchReader's role sets path; AsgFleet's role does not (the path then stays "/").
        rule("path", tfAws("0040ea69", "iam/role.go", '"path" ForceNew: true')),
    ],
    "aws:iam/rolePolicy:RolePolicy": [
        rule("role", tfAws("02f97af8", "iam/role_policy.go", '"role" ForceNew: true')),
    ],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": [
        rule("role", tfAws("04c79849", "iam/role_policy_attachment.go", '"role" ForceNew: true')),
        rule(
            "policyArn",
            tfAws("04c79849", "iam/role_policy_attachment.go", '"policy_arn" ForceNew: true'),
        ),
    ],
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": [
        rule(
            "awsServiceName",
            tfAws("01c08000", "iam/service_linked_role.go", '"aws_service_name" ForceNew: true'),
        ),
        rule(
            "customSuffix",
            tfAws("01c08000", "iam/service_linked_role.go", '"custom_suffix" ForceNew: true'),
        ),
    ],
    // name and path are both changed in place with UpdateUser (resourceUserUpdate).
    "aws:iam/user:User": [],
    "aws:iam/userPolicy:UserPolicy": [
        rule("user", tfAws("02f97af8", "iam/user_policy.go", '"user" ForceNew: true')),
    ],
    // description, policy, enableKeyRotation, deletionWindowInDays: none ForceNew (key.go schema).
    "aws:kms/key:Key": [],
    "aws:lb/listener:Listener": [
        rule(
            "loadBalancerArn",
            tfAws("01c08000", "elbv2/listener.go", '"load_balancer_arn" ForceNew: true'),
        ),
    ],
    "aws:lb/loadBalancer:LoadBalancer": [
        rule(
            "loadBalancerType",
            tfAws("00edc94b", "elbv2/load_balancer.go", '"load_balancer_type" ForceNew: true'),
        ),
        rule("internal", tfAws("00edc94b", "elbv2/load_balancer.go", '"internal" ForceNew: true')),
        // subnets/securityGroups force new only for type "network" (customizeDiffLoadBalancerNLB);
        // this is an "application" LB, whose subnets change in place. accessLogs (bucket, prefix,
        // enabled) is a ModifyLoadBalancerAttributes update, not ForceNew.
    ],
    // healthCheck (protocol included) is not ForceNew: ModifyTargetGroup in resourceTargetGroupUpdate.
    // aws.loadBalancer.targetProtocol sets both protocol and healthCheck.protocol: the group is
    // replaced (tests/plan/day2.test.ts, "another target protocol").
    "aws:lb/targetGroup:TargetGroup": [
        rule("vpcId", tfAws("013cfb4c", "elbv2/target_group.go", '"vpc_id" ForceNew: true')),
        rule("port", tfAws("013cfb4c", "elbv2/target_group.go", '"port" ForceNew: true')),
        rule("protocol", tfAws("013cfb4c", "elbv2/target_group.go", '"protocol" ForceNew: true')),
        rule(
            "targetType",
            tfAws("013cfb4c", "elbv2/target_group.go", '"target_type" ForceNew: true'),
        ),
    ],
    // bucket and bucketPrefix are ForceNew (terraform-provider-aws @0070bcd1 internal/service/s3/
    // bucket.go: "bucket", "bucket_prefix" ForceNew: true),
    // but the program sets neither: Pulumi autonames `bucket` once and keeps it. tags and
    // forceDestroy are updates.
    "aws:s3/bucket:Bucket": [],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": [
        rule(
            "bucket",
            tfAws(
                "01606926",
                "s3/bucket_lifecycle_configuration.go",
                '"bucket" PlanModifiers: stringplanmodifier.RequiresReplace()',
            ),
        ),
        // rules (expiration days, filter...) are PutBucketLifecycleConfiguration updates.
    ],
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": [
        rule(
            "bucket",
            tfAws("01c08000", "s3/bucket_ownership_controls.go", '"bucket" ForceNew: true'),
        ),
    ],
    "aws:s3/bucketPolicy:BucketPolicy": [
        rule("bucket", tfAws("0073593e", "s3/bucket_policy.go", '"bucket" ForceNew: true')),
        // policy: PutBucketPolicy (resourceBucketPolicyPut is both Create and Update).
    ],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": [
        rule(
            "bucket",
            tfAws("01606926", "s3/bucket_public_access_block.go", '"bucket" ForceNew: true'),
        ),
    ],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
        rule(
            "bucket",
            tfAws(
                "01606926",
                "s3/bucket_server_side_encryption_configuration.go",
                '"bucket" ForceNew: true',
            ),
        ),
    ],
    // kmsMasterKeyId is a SetTopicAttributes update; only name/name_prefix/fifo_topic are ForceNew.
    "aws:sns/topic:Topic": [],
    "aws:sns/topicSubscription:TopicSubscription": [
        rule("topic", tfAws("04a2e6e5", "sns/topic_subscription.go", '"topic_arn" ForceNew: true')),
        rule(
            "protocol",
            tfAws("04a2e6e5", "sns/topic_subscription.go", '"protocol" ForceNew: true'),
        ),
        rule(
            "endpoint",
            tfAws("04a2e6e5", "sns/topic_subscription.go", '"endpoint" ForceNew: true'),
        ),
    ],
    // Framework resource: security_group_id RequiresReplace; ModifyPlan also replaces when the
    // source kind changes (cidrIpv4 <-> referencedSecurityGroupId), which this program never does.
    // The egress rule embeds the same resourceSecurityGroupRule (vpc_security_group_egress_rule.go).
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": [
        rule(
            "securityGroupId",
            tfAws(
                "00a32209",
                "ec2/vpc_security_group_ingress_rule.go",
                '"security_group_id" PlanModifiers: RequiresReplace() (shared by the egress rule)',
            ),
        ),
    ],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": [
        rule(
            "securityGroupId",
            tfAws(
                "00a32209",
                "ec2/vpc_security_group_ingress_rule.go",
                '"security_group_id" PlanModifiers: RequiresReplace()',
            ),
        ),
    ],
    "aws:wafv2/webAcl:WebAcl": [
        rule("name", tfAws("0073593e", "wafv2/web_acl.go", '"name" ForceNew: true')),
        rule("scope", tfAws("0073593e", "wafv2/web_acl.go", '"scope" ForceNew: true')),
        // rules, defaultAction, visibilityConfig, description: UpdateWebACL.
    ],
    "aws:wafv2/webAclAssociation:WebAclAssociation": [
        rule(
            "resourceArn",
            tfAws("011a8eed", "wafv2/web_acl_association.go", '"resource_arn" ForceNew: true'),
        ),
        rule(
            "webAclArn",
            tfAws("011a8eed", "wafv2/web_acl_association.go", '"web_acl_arn" ForceNew: true'),
        ),
    ],
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": [
        rule(
            "resourceArn",
            tfAws(
                "012f18cf",
                "wafv2/web_acl_logging_configuration.go",
                '"resource_arn" ForceNew: true',
            ),
        ),
        rule(
            "logDestinationConfigs",
            tfAws(
                "012f18cf",
                "wafv2/web_acl_logging_configuration.go",
                '"log_destination_configs" ForceNew: true',
            ),
        ),
        // redactedFields is PutLoggingConfiguration (Update = Put).
    ],

    // ======================== Azure Native (path parameters + ForceNew) ========================
    // DiffConfig never replaces (see PROVIDER_REPLACE_ON_CHANGE). Body properties are ForceNew when
    // the API spec marks them x-ms-mutability [create, read] without update, or forceNewMap says so;
    // nested (non-flattened) properties are only ForceNew through forceNewMap.
    "azure-native:authorization:PolicyAssignment": [
        azPath(
            "scope",
            "policyAssignments PUT {scope}/providers/Microsoft.Authorization/policyAssignments/{policyAssignmentName}",
        ),
        // policyAssignmentName is autonamed (not set). Body properties (location, identity,
        // policyDefinitionId, parameters, enforcementMode): x-ms-mutability in the 2025-01-01 spec
        // not read here; not in forceNewMap.
    ],
    "azure-native:authorization:PolicyDefinition": [
        azPath(
            "policyDefinitionName",
            "policyDefinitions PUT /subscriptions/{subscriptionId}/providers/Microsoft.Authorization/policyDefinitions/{policyDefinitionName}",
        ),
        // Body (policyRule, parameters, metadata...): x-ms-mutability in the 2025-01-01 spec not read; not in forceNewMap.
    ],
    "azure-native:authorization:RoleAssignment": [
        azPath(
            "scope",
            "roleAssignments PUT {scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}",
        ),
        azPath(
            "roleAssignmentName",
            "roleAssignments PUT {scope}/.../roleAssignments/{roleAssignmentName}",
        ),
        rule(
            "principalId",
            `${AZN_FORCENEW_MAP}: "Authorization" -> "RoleAssignment": principalId, scope`,
        ),
        // roleDefinitionId / principalType: not in forceNewMap (the program's deterministic
        // roleAssignmentName already changes with the role and the principal).
    ],
    "azure-native:containerregistry:Registry": [
        azPath(
            "resourceGroupName",
            "registries PUT .../resourceGroups/{resourceGroupName}/providers/Microsoft.ContainerRegistry/registries/{registryName}",
        ),
        azPath("registryName", "registries PUT .../registries/{registryName}"),
        rule(
            "location",
            `${AZN_LOCATION}; containerregistry 2023-01-01-preview Registry inherits its own "Resource" definition ("The location of the resource. This cannot be changed after the resource is created."); the x-ms-mutability line itself was not read in this spec`,
        ),
        // sku, adminUserEnabled, anonymousPullEnabled, tags: updatable (RegistryUpdateParameters).
        // identity, encryption (AppImage's customer-managed key): no x-ms-mutability in the
        // 2023-01-01-preview spec (Azure/azure-rest-api-specs @0084bebc), both in
        // RegistryUpdateParameters, no forceNewMap entry: updated in place. Azure refuses to
        // enable or disable a key on an existing registry (MicrosoftDocs/azure-management-docs
        // container-registry/tutorial-customer-managed-keys.md), so AppImage changes the default
        // registryName with the key, which replaces the registry.
    ],
    "azure-native:managedidentity:UserAssignedIdentity": [
        azPath(
            "resourceGroupName",
            "userAssignedIdentities PUT /subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName} (Azure/azure-rest-api-specs @16c9ca76 msi/resource-manager/Microsoft.ManagedIdentity/stable/2023-01-31/ManagedIdentity.json)",
        ),
        azPath(
            "resourceName",
            "userAssignedIdentities PUT .../userAssignedIdentities/{resourceName}",
        ),
        rule(
            "location",
            `${AZN_LOCATION}; managedidentity 2023-01-31 Identity allOf common-types v4 TrackedResource, whose location is x-ms-mutability [read, create] (specification/common-types/resource-management/v4/types.json @05432ee0)`,
        ),
        // tags: x-ms-mutability [read, create, update]; not in forceNewMap.
    ],
    "azure-native:dashboard:Grafana": [
        azPath(
            "resourceGroupName",
            "grafana PUT .../resourceGroups/{resourceGroupName}/providers/Microsoft.Dashboard/grafana/{workspaceName}",
        ),
        azPath("workspaceName", "grafana PUT .../grafana/{workspaceName}"),
        rule(
            "location",
            `${AZN_LOCATION}; dashboard 2024-10-01 ManagedGrafana is an ARM TrackedResource (common-types TrackedResource.location x-ms-mutability [read, create], verified in specification/common-types/resource-management/v2/types.json @01efba9f)`,
        ),
        // properties.* is a nested object: not ForceNew in azure-native (only forceNewMap could make
        // it so). properties.zoneRedundancy is replaced through the program's replaceOnChanges.
    ],
    "azure-native:kubernetes:ConnectedCluster": [
        azPath(
            "resourceGroupName",
            "connectedClusters PUT .../resourceGroups/{resourceGroupName}/providers/Microsoft.Kubernetes/connectedClusters/{clusterName}",
        ),
        azPath("clusterName", "connectedClusters PUT .../connectedClusters/{clusterName}"),
        rule(
            "location",
            `${AZN_LOCATION}; Azure/azure-rest-api-specs @114077a2 hybridkubernetes/.../2024-02-01-preview/connectedClusters.json: ConnectedCluster allOf common-types v2 TrackedResource, whose location is x-ms-mutability [read, create] (v2/types.json @01efba9f)`,
        ),
        // agentPublicKeyCertificate, distribution, infrastructure, aadProfile, arcAgentProfile carry
        // no x-ms-mutability in that spec: updatable as far as azure-native is concerned.
    ],
    "azure-native:monitor:DataCollectionRule": [
        azPath(
            "resourceGroupName",
            "dataCollectionRules PUT .../resourceGroups/{resourceGroupName}/providers/Microsoft.Insights/dataCollectionRules/{dataCollectionRuleName}",
        ),
        rule(
            "location",
            `${AZN_LOCATION}; monitor 2022-06-01 DataCollectionRuleResource.location (ARM tracked-resource rule LocationMustHaveXmsMutability); the RP spec line itself was not read`,
        ),
        // dataCollectionRuleName is autonamed (not set).
    ],
    "azure-native:operationalinsights:Workspace": [
        azPath(
            "resourceGroupName",
            "workspaces PUT .../resourceGroups/{resourceGroupName}/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}",
        ),
        rule(
            "location",
            `${AZN_LOCATION}; operationalinsights 2023-09-01 Workspace is an ARM TrackedResource (common-types TrackedResource.location x-ms-mutability [read, create]); the RP spec line itself was not read`,
        ),
        // workspaceName is autonamed (not set); sku, retentionInDays, tags: updatable.
    ],
    "azure-native:resources:ResourceGroup": [
        azPath(
            "resourceGroupName",
            "resourceGroups PUT /subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}",
        ),
        rule("location", `${AZN_FORCENEW_MAP}: "Resources" -> "ResourceGroup": location`),
    ],

    // ============================ Docker Build (pulumi-docker-build) ============================
    // Image.Diff only ever reports provider.Update (never a replace kind) for every input
    // (provider/internal/image.go:928 Diff @v0.0.22).
    "docker-build:index:Image": [],
    "docker-build:index:Index": [
        rule(
            "tag",
            "pulumi/pulumi-docker-build v0.0.22 provider/internal/index.go:328 Diff: `if olds.Tag != news.Tag { diff[tagKey] = replace }` (UpdateReplace)",
        ),
        rule(
            "registry.address",
            "pulumi/pulumi-docker-build v0.0.22 provider/internal/index.go:337 Diff: registry.address change is UpdateReplace when the old address was non-empty (password changes are ignored)",
        ),
    ],

    // ======================== Google Cloud (terraform-provider-google-beta) ========================
    "gcp:artifactregistry/repository:Repository": [
        rule(
            "project",
            tfGoogle(
                "services/artifactregistry/resource_artifact_registry_repository.go",
                '"project" ForceNew: true (line 930)',
            ),
        ),
        rule(
            "location",
            tfGoogle(
                "services/artifactregistry/resource_artifact_registry_repository.go",
                '"location" ForceNew: true (line 472)',
            ),
        ),
        rule(
            "repositoryId",
            tfGoogle(
                "services/artifactregistry/resource_artifact_registry_repository.go",
                '"repository_id" ForceNew: true (line 315)',
            ),
        ),
        rule(
            "format",
            tfGoogle(
                "services/artifactregistry/resource_artifact_registry_repository.go",
                '"format" ForceNew: true (line 305)',
            ),
        ),
        rule(
            "kmsKeyName",
            tfGoogle(
                "services/artifactregistry/resource_artifact_registry_repository.go",
                '"kms_key_name" ForceNew: true (line 448)',
            ),
        ),
        // dockerConfig.immutableTags, description, labels: updatable.
    ],
    "gcp:compute/router:Router": [
        rule(
            "project",
            tfGoogle(
                "services/compute/resource_compute_router.go",
                '"project" ForceNew: true (line 336)',
            ),
        ),
        rule(
            "region",
            tfGoogle(
                "services/compute/resource_compute_router.go",
                '"region" ForceNew: true (line 323)',
            ),
        ),
        rule(
            "network",
            tfGoogle(
                "services/compute/resource_compute_router.go",
                '"network" ForceNew: true (line 295)',
            ),
        ),
    ],
    "gcp:compute/routerNat:RouterNat": [
        rule(
            "project",
            tfGoogle(
                "services/compute/resource_compute_router_nat.go",
                '"project" ForceNew: true (line 546)',
            ),
        ),
        rule(
            "region",
            tfGoogle(
                "services/compute/resource_compute_router_nat.go",
                '"region" ForceNew: true (line 475)',
            ),
        ),
        rule(
            "router",
            tfGoogle(
                "services/compute/resource_compute_router_nat.go",
                '"router" ForceNew: true (line 315)',
            ),
        ),
        // natIpAllocateOption, sourceSubnetworkIpRangesToNat, logConfig: updatable.
    ],
    "gcp:container/attachedCluster:AttachedCluster": [
        rule(
            "project",
            tfGoogle(
                "services/containerattached/resource_container_attached_cluster.go",
                '"project" ForceNew: true (line 504)',
            ),
        ),
        rule(
            "location",
            tfGoogle(
                "services/containerattached/resource_container_attached_cluster.go",
                '"location" ForceNew: true (line 191)',
            ),
        ),
        rule(
            "name",
            tfGoogle(
                "services/containerattached/resource_container_attached_cluster.go",
                '"name" ForceNew: true (line 197)',
            ),
        ),
        rule(
            "distribution",
            tfGoogle(
                "services/containerattached/resource_container_attached_cluster.go",
                '"distribution" ForceNew: true (line 159)',
            ),
        ),
        rule(
            "oidcConfig.issuerUrl",
            tfGoogle(
                "services/containerattached/resource_container_attached_cluster.go",
                'oidc_config."issuer_url" ForceNew: true (line 220)',
            ),
        ),
        rule(
            "oidcConfig.jwks",
            tfGoogle(
                "services/containerattached/resource_container_attached_cluster.go",
                'oidc_config."jwks" ForceNew: true (line 226)',
            ),
        ),
        rule(
            "fleet.project",
            tfGoogle(
                "services/containerattached/resource_container_attached_cluster.go",
                'fleet."project" ForceNew: true (line 174)',
            ),
        ),
        // platformVersion and authorization.adminUsers: updatable.
    ],
    "gcp:container/cluster:Cluster": [
        rule(
            "project",
            tfGoogle(
                "services/container/resource_container_cluster.go",
                '"project" ForceNew: true (line 2018)',
            ),
        ),
        rule(
            "location",
            tfGoogle(
                "services/container/resource_container_cluster.go",
                '"location" ForceNew: true (line 328)',
            ),
        ),
        rule(
            "network",
            tfGoogle(
                "services/container/resource_container_cluster.go",
                '"network" ForceNew: true (line 1812)',
            ),
        ),
        computedRule(
            "subnetwork",
            tfGoogle(
                "services/container/resource_container_cluster.go",
                '"subnetwork" ForceNew: true (line 2026; set only when GkeClusterArgs.subnetwork is)',
            ),
        ),
        computedRule(
            "networkingMode",
            tfGoogle(
                "services/container/resource_container_cluster.go",
                '"networking_mode" ForceNew: true (line 2230)',
            ),
        ),
        computedRule(
            "ipAllocationPolicy",
            tfGoogle(
                "services/container/resource_container_cluster.go",
                '"ip_allocation_policy" (MaxItems 1) ForceNew: true (line 2059)',
            ),
        ),
        computedRule(
            "privateClusterConfig.masterIpv4CidrBlock",
            tfGoogle(
                "services/container/resource_container_cluster.go",
                'private_cluster_config."master_ipv4_cidr_block" ForceNew: true (line 2340)',
            ),
        ),
        computedRule(
            "datapathProvider",
            tfGoogle(
                "services/container/resource_container_cluster.go",
                '"datapath_provider" ForceNew: true (line 2623; set only with networkPolicyEnforcement "dataplane-v2")',
            ),
        ),
        rule(
            "initialNodeCount",
            tfGoogle(
                "services/container/resource_container_cluster.go",
                '"initial_node_count" ForceNew: true (line 1232)',
            ),
        ),
        // Masked by the program's ignoreChanges: ["nodeConfig"].
        rule(
            "nodeConfig.serviceAccount",
            tfGoogle(
                "services/container/node_config.go",
                'schemaNodeConfig "service_account" ForceNew: true (line 647); cluster "node_config": schemaNodeConfig() (resource_container_cluster.go:1846)',
            ),
        ),
        rule(
            "nodeConfig.oauthScopes",
            tfGoogle(
                "services/container/node_config.go",
                'schemaNodeConfig "oauth_scopes" ForceNew: true (line 583)',
            ),
        ),
        // releaseChannel, workloadIdentityConfig, enableShieldedNodes, enableLegacyAbac,
        // privateClusterConfig.enablePrivateNodes/EndpointPrivate, masterAuthorizedNetworksConfig,
        // databaseEncryption, networkPolicy, addonsConfig, authenticatorGroupsConfig,
        // removeDefaultNodePool, deletionProtection, resourceLabels: updatable.
    ],
    "gcp:container/nodePool:NodePool": [
        rule(
            "project",
            tfGoogle(
                "services/container/resource_container_node_pool.go",
                '"project" ForceNew: true (line 243)',
            ),
        ),
        rule(
            "cluster",
            tfGoogle(
                "services/container/resource_container_node_pool.go",
                '"cluster" ForceNew: true (line 249)',
            ),
        ),
        rule(
            "location",
            tfGoogle(
                "services/container/resource_container_node_pool.go",
                '"location" ForceNew: true (line 256)',
            ),
        ),
        // Masked by the program's ignoreChanges: ["initialNodeCount"].
        rule(
            "initialNodeCount",
            tfGoogle(
                "services/container/resource_container_node_pool.go",
                '"initial_node_count" ForceNew: true (line 483)',
            ),
        ),
        computedRule(
            "nodeConfig.serviceAccount",
            tfGoogle(
                "services/container/node_config.go",
                '"service_account" ForceNew: true (line 647)',
            ),
        ),
        computedRule(
            "nodeConfig.oauthScopes",
            tfGoogle(
                "services/container/node_config.go",
                '"oauth_scopes" ForceNew: true (line 583)',
            ),
        ),
        rule(
            "nodeConfig.shieldedInstanceConfig",
            tfGoogle(
                "services/container/node_config.go",
                '"shielded_instance_config" ForceNew: true (line 669), "enable_secure_boot"/"enable_integrity_monitoring" ForceNew: true (lines 677, 684)',
            ),
        ),
        // The node_config block itself is ForceNew (node_config.go:284) but in SDKv2 that only
        // covers adding/removing the block; machineType, diskType, diskSizeGb, workloadMetadataConfig,
        // resourceLabels, autoscaling, management and upgradeSettings are updated in place.
    ],
    "gcp:gkehub/feature:Feature": [
        rule(
            "project",
            tfGoogle(
                "services/gkehub2/resource_gke_hub_feature.go",
                '"project" ForceNew: true (line 848)',
            ),
        ),
        rule(
            "location",
            tfGoogle(
                "services/gkehub2/resource_gke_hub_feature.go",
                '"location" ForceNew: true (line 148)',
            ),
        ),
        rule(
            "name",
            tfGoogle(
                "services/gkehub2/resource_gke_hub_feature.go",
                '"name" ForceNew: true (line 572)',
            ),
        ),
    ],
    "gcp:gkehub/featureMembership:FeatureMembership": [
        rule(
            "project",
            tfGoogle(
                "services/gkehub/resource_gke_hub_feature_membership.go",
                '"project" ForceNew: true (line 110)',
            ),
        ),
        rule(
            "feature",
            tfGoogle(
                "services/gkehub/resource_gke_hub_feature_membership.go",
                '"feature" ForceNew: true (line 55)',
            ),
        ),
        rule(
            "location",
            tfGoogle(
                "services/gkehub/resource_gke_hub_feature_membership.go",
                '"location" ForceNew: true (line 63)',
            ),
        ),
        rule(
            "membership",
            tfGoogle(
                "services/gkehub/resource_gke_hub_feature_membership.go",
                '"membership" ForceNew: true (line 70)',
            ),
        ),
        rule(
            "membershipLocation",
            tfGoogle(
                "services/gkehub/resource_gke_hub_feature_membership.go",
                '"membership_location" ForceNew: true (line 86)',
            ),
        ),
        // configmanagement.* (configSync git, sourceFormat, preventDrift): updatable.
    ],
    "gcp:gkehub/membership:Membership": [
        rule(
            "project",
            tfGoogle(
                "services/gkehub/resource_gke_hub_membership.go",
                '"project" ForceNew: true (line 262)',
            ),
        ),
        rule(
            "membershipId",
            tfGoogle(
                "services/gkehub/resource_gke_hub_membership.go",
                '"membership_id" ForceNew: true (line 167)',
            ),
        ),
        rule(
            "location",
            tfGoogle(
                "services/gkehub/resource_gke_hub_membership.go",
                '"location" ForceNew: true (line 235)',
            ),
        ),
        rule(
            "endpoint",
            tfGoogle(
                "services/gkehub/resource_gke_hub_membership.go",
                '"endpoint" ForceNew: true (line 192), gke_cluster and gke_cluster."resource_link" ForceNew: true (lines 200, 208)',
            ),
        ),
        rule(
            "authority.issuer",
            tfGoogle(
                "services/gkehub/resource_gke_hub_membership.go",
                'authority."issuer" ForceNew: true (line 182)',
            ),
        ),
    ],
    "gcp:kms/cryptoKey:CryptoKey": [
        rule(
            "keyRing",
            tfGoogle(
                "services/kms/resource_kms_crypto_key.go",
                '"key_ring" ForceNew: true (line 152)',
            ),
        ),
        rule(
            "purpose",
            tfGoogle(
                "services/kms/resource_kms_crypto_key.go",
                '"purpose" ForceNew: true (line 227)',
            ),
        ),
        // rotationPeriod: updatable.
    ],
    "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": [
        rule(
            "cryptoKeyId",
            tfGoogle(
                "services/kms/iam_kms_crypto_key.go",
                '"crypto_key_id" ForceNew: true (line 36)',
            ),
        ),
        rule(
            "role",
            tfGoogle(
                "tpgiamresource/resource_iam_member.go",
                'IamMemberBaseSchema "role" ForceNew: true (line 67)',
            ),
        ),
        rule(
            "member",
            tfGoogle(
                "tpgiamresource/resource_iam_member.go",
                'IamMemberBaseSchema "member" ForceNew: true (line 72)',
            ),
        ),
    ],
    "gcp:kms/keyRing:KeyRing": [
        rule(
            "project",
            tfGoogle(
                "services/kms/resource_kms_key_ring.go",
                '"project" ForceNew: true (line 158)',
            ),
        ),
        rule(
            "location",
            tfGoogle(
                "services/kms/resource_kms_key_ring.go",
                '"location" ForceNew: true (line 144)',
            ),
        ),
    ],
    "gcp:projects/iAMMember:IAMMember": [
        rule(
            "project",
            tfGoogle(
                "services/resourcemanager/iam_project.go",
                '"project" ForceNew: true (line 38)',
            ),
        ),
        rule(
            "role",
            tfGoogle(
                "tpgiamresource/resource_iam_member.go",
                'IamMemberBaseSchema "role" ForceNew: true (line 67)',
            ),
        ),
        rule(
            "member",
            tfGoogle(
                "tpgiamresource/resource_iam_member.go",
                'IamMemberBaseSchema "member" ForceNew: true (line 72)',
            ),
        ),
    ],
    "gcp:projects/service:Service": [
        rule(
            "project",
            tfGoogle(
                "services/resourcemanager/resource_google_project_service.go",
                '"project" ForceNew: true (line 143)',
            ),
        ),
        rule(
            "service",
            tfGoogle(
                "services/resourcemanager/resource_google_project_service.go",
                '"service" ForceNew: true (line 136)',
            ),
        ),
        // disableOnDestroy / disableDependentServices: updatable.
    ],
    "gcp:projects/serviceIdentity:ServiceIdentity": [
        rule(
            "project",
            tfGoogle(
                "services/resourcemanager/resource_project_service_identity.go",
                '"project" ForceNew: true (line 59)',
            ),
        ),
        rule(
            "service",
            tfGoogle(
                "services/resourcemanager/resource_project_service_identity.go",
                '"service" ForceNew: true (line 53)',
            ),
        ),
    ],
    "gcp:serviceaccount/account:Account": [
        rule(
            "project",
            tfGoogle(
                "services/resourcemanager/resource_google_service_account.go",
                '"project" ForceNew: true (line 118)',
            ),
        ),
        rule(
            "accountId",
            tfGoogle(
                "services/resourcemanager/resource_google_service_account.go",
                '"account_id" ForceNew: true (line 93)',
            ),
        ),
        // displayName: updatable.
    ],
    "gcp:serviceaccount/key:Key": [
        rule(
            "serviceAccountId",
            tfGoogle(
                "services/resourcemanager/resource_google_service_account_key.go",
                '"service_account_id" ForceNew: true (line 63)',
            ),
        ),
        rule(
            "keepers",
            tfGoogle(
                "services/resourcemanager/resource_google_service_account_key.go",
                '"keepers" ForceNew: true (line 100) - MonitoringReader credentialRotation rotates the key',
            ),
        ),
    ],

    // ============================== Grafana (pulumiverse) ==============================
    // config_json forces new only when the "uid" inside the JSON changes (resource_dashboard.go:53
    // CustomizeDiff: extractUID(old) != extractUID(new) -> d.ForceNew("config_json")): the diff
    // descends into JSON text, so the rule is on the uid inside it. An unknown config_json reads
    // as "" in a CustomizeDiff (no NewValueKnown check), whose uid differs: a replacement.
    // folder, overwrite, message: updatable (org_id, ForceNew, is not set).
    "grafana:oss/dashboard:Dashboard": [
        rule(
            "configJson(json).uid",
            tfGrafana(
                "resource_dashboard.go",
                "CustomizeDiff: ForceNew(config_json) when the uid in it changes (line 53)",
            ),
        ),
        {
            path: "configJson",
            onlyWhenUnknown: true,
            source: tfGrafana(
                "resource_dashboard.go",
                'CustomizeDiff reads an unknown config_json as "" (no NewValueKnown check), whose uid differs: ForceNew (line 53)',
            ),
        },
    ],
    "grafana:oss/dataSource:DataSource": [
        rule("uid", tfGrafana("resource_data_source.go", '"uid" ForceNew: true (line 58)')),
        // name, type, jsonDataEncoded, secureJsonDataEncoded: updatable.
    ],
    "grafana:oss/folder:Folder": [
        rule("uid", tfGrafana("resource_folder.go", '"uid" ForceNew: true (line 43)')),
        // title: updatable.
    ],

    // ============================== Kubernetes (pulumi-kubernetes) ==============================
    "kubernetes:apps/v1:Deployment": [
        ...K8S_IDENTITY,
        rule(
            "spec.selector",
            `${K8S_DIFF}/diff.go:171 forceNew["apps"]["v1"]["Deployment"] = deployment: ".spec.selector" (+ labelSelectorForceNewProperties: matchLabels, matchExpressions)`,
        ),
        // The pod template (image, resources, probes...) is updated in place (rolling update).
    ],
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler": k8sIdentityOnly(
        "no forceNew entry for autoscaling",
    ),
    "kubernetes:core/v1:LimitRange": k8sIdentityOnly("no forceNew entry for LimitRange"),
    "kubernetes:core/v1:Namespace": k8sIdentityOnly(
        "no forceNew entry for Namespace; cluster-scoped, so only the name is set",
    ),
    // forceNew core/v1 ResourceQuota is ".spec.scopes" (diff.go:153), which the program does not set.
    "kubernetes:core/v1:ResourceQuota": k8sIdentityOnly("only .spec.scopes is forceNew, not set"),
    "kubernetes:core/v1:Secret": [
        ...K8S_IDENTITY,
        rule(
            "type",
            `${K8S_DIFF}/diff.go:29 forceNewProperties: Secret with !enableSecretMutable (no provider sets it) -> ".type", ".stringData", ".data"`,
        ),
        rule(
            "stringData",
            `${K8S_DIFF}/diff.go:29 forceNewProperties: Secret with !enableSecretMutable (the default; config kubernetes:enableSecretMutable / PULUMI_K8S_ENABLE_SECRET_MUTABLE unset) -> ".stringData" forces replacement`,
        ),
    ],
    // core/v1 Service forceNew is ".spec.clusterIP" (diff.go:159), which the program does not set.
    "kubernetes:core/v1:Service": k8sIdentityOnly("only .spec.clusterIP is forceNew, not set"),
    "kubernetes:core/v1:ServiceAccount": k8sIdentityOnly("no forceNew entry for ServiceAccount"),
    "kubernetes:helm.sh/v3:Release": [
        rule(
            "name",
            `${K8S_DIFF}/helm_release.go:907 helmReleaseProvider.Diff forceNewFields := []string{".name", ".namespace"}`,
        ),
        rule(
            "namespace",
            `${K8S_DIFF}/helm_release.go:907 helmReleaseProvider.Diff forceNewFields := []string{".name", ".namespace"}`,
        ),
        // chart, version, values, timeout, createNamespace: helm upgrade in place.
    ],
    "kubernetes:networking.k8s.io/v1:Ingress": k8sIdentityOnly(
        "no forceNew entry for networking.k8s.io",
    ),
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": k8sIdentityOnly(
        "no forceNew entry for networking.k8s.io",
    ),
    // diff.go:62 lists PodDisruptionBudget (".spec", diff.go:188) only under policy/v1beta1.
    "kubernetes:policy/v1:PodDisruptionBudget": k8sIdentityOnly(
        "PDB .spec is forceNew only for policy/v1beta1",
    ),
    "kubernetes:rbac.authorization.k8s.io/v1:Role": k8sIdentityOnly("Role has no forceNew entry"),
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": [
        ...K8S_IDENTITY,
        rule(
            "roleRef",
            `${K8S_DIFF}/diff.go:192 roleBinding = properties{".roleRef"} (rbac.authorization.k8s.io v1 RoleBinding)`,
        ),
    ],
    // kubernetes:yaml/v2:ConfigGroup (attachCluster's bootstrap) is a component: its children are
    // the kinds in Google's attached-cluster install manifest, unknown offline (the plan's mock
    // returns one Namespace). Each child follows its own kind's rules above (name/namespace always).

    // ============================== TLS (terraform-provider-tls) ==============================
    "tls:index/privateKey:PrivateKey": [
        rule(
            "algorithm",
            'hashicorp/terraform-provider-tls v4.2.1 internal/provider/resource_private_key.go:57 "algorithm" stringplanmodifier.RequiresReplace()',
        ),
        rule(
            "rsaBits",
            'hashicorp/terraform-provider-tls v4.2.1 internal/provider/resource_private_key.go:70 "rsa_bits" int64planmodifier.RequiresReplace()',
        ),
    ],

    // ================= Pulumi Cloud (deployments/ program, @pulumi/pulumiservice 1.3.0) =================
    // These belong to the separate deployments/ project, not to the main program's offline plan.
    "pulumiservice:index:DeploymentSettings": [
        rule(
            "organization",
            pulumiService(
                "deployment_settings.go",
                'Diff replaceProperties {"organization", "project", "stack"} -> AsReplace (DeleteBeforeReplace)',
            ),
        ),
        rule(
            "project",
            pulumiService(
                "deployment_settings.go",
                'Diff replaceProperties {"organization", "project", "stack"}',
            ),
        ),
        rule(
            "stack",
            pulumiService(
                "deployment_settings.go",
                'Diff replaceProperties {"organization", "project", "stack"}',
            ),
        ),
    ],
    "pulumiservice:index:DriftSchedule": [
        rule(
            "organization",
            pulumiService(
                "drift_schedules.go",
                '`pulumi:"organization" provider:"replaceOnChanges"` (line 42)',
            ),
        ),
        rule(
            "project",
            pulumiService(
                "drift_schedules.go",
                '`pulumi:"project" provider:"replaceOnChanges"` (line 43)',
            ),
        ),
        rule(
            "stack",
            pulumiService(
                "drift_schedules.go",
                '`pulumi:"stack" provider:"replaceOnChanges"` (line 44)',
            ),
        ),
    ],
    "pulumiservice:index:OidcIssuer": [
        rule(
            "organization",
            pulumiService(
                "oidc_issuer.go",
                '`pulumi:"organization" provider:"replaceOnChanges"` (line 123)',
            ),
        ),
        rule(
            "url",
            pulumiService(
                "oidc_issuer.go",
                '`pulumi:"url" provider:"replaceOnChanges"` (line 125)',
            ),
        ),
    ],
    "pulumiservice:index:PolicyGroup": [
        rule("name", pulumiService("policy_group.go", "Diff: Name change requires replacement")),
        rule(
            "entityType",
            pulumiService("policy_group.go", "Diff: EntityType change requires replacement"),
        ),
        rule("mode", pulumiService("policy_group.go", "Diff: Mode change requires replacement")),
    ],
    "pulumiservice:index:PolicyPack": [
        rule(
            "organization",
            pulumiService("policy_pack.go", 'Diff: add("organization", p.UpdateReplace)'),
        ),
        rule("name", pulumiService("policy_pack.go", 'Diff: add("name", p.UpdateReplace)')),
        rule(
            "versionTag",
            pulumiService("policy_pack.go", 'Diff: add("versionTag", p.UpdateReplace)'),
        ),
        rule(
            "sourcePath",
            pulumiService(
                "policy_pack.go",
                'Diff: add("sourcePath", p.UpdateReplace) whenever the hash of the pack source (hashPolicyPackSource) differs - also on content changes with an unchanged path',
            ),
        ),
    ],
    "pulumiservice:index:Stack": [
        rule(
            "organizationName",
            pulumiService(
                "stack.go",
                '`pulumi:"organizationName" provider:"replaceOnChanges"` (line 46)',
            ),
        ),
        rule(
            "projectName",
            pulumiService(
                "stack.go",
                '`pulumi:"projectName" provider:"replaceOnChanges"` (line 47)',
            ),
        ),
        rule(
            "stackName",
            pulumiService("stack.go", '`pulumi:"stackName" provider:"replaceOnChanges"` (line 48)'),
        ),
    ],
};

/** Provider resources (type "pulumi:providers:<pkg>"): which provider config inputs, when changed, make the engine replace the provider and therefore every resource it manages (DiffConfig returning replace). Same shape. */
export const PROVIDER_REPLACE_ON_CHANGE: Readonly<Record<string, readonly ReplaceRule[]>> = {
    // The bridge's DiffConfig replaces only for config keys whose SchemaInfo sets
    // ForcesProviderReplace (pulumi/pulumi-terraform-bridge v3.136.0 pkg/tfbridge/provider.go:842
    // configDiffer.forcesProviderReplace). pulumi-aws v6 set it on "region"; v7 removed that
    // cascading replace (pulumi/pulumi-aws#5656, #5652: "AWS v7 removes the cascading replace logic
    // entirely"). So a change of `region` no longer replaces the PROVIDER - but every regional
    // resource it manages still plans a replacement, because terraform-provider-aws v6 sets each
    // resource's `region` to the provider region when unset and forces new when it changes
    // (@0073593e internal/provider/sdkv2/region.go defaultRegion + forceNewIfRegionChanges). IAM
    // resources are global and unaffected. defaultTags / allowedAccountIds: updates only.
    "pulumi:providers:aws": [],
    // No ForcesProviderReplace in pulumi/pulumi-gcp provider/resources.go (Config: project, region,
    // zone...). Resources that leave project/region unset would be replaced through
    // tpgresource.DefaultProviderProject, but every resource here that has a project sets it
    // explicitly, and Router/RouterNat set region.
    "pulumi:providers:gcp": [],
    // pulumi/pulumi-azure-native provider/pkg/provider/provider.go DiffConfig returns
    // DiffResponse{Changes: 0, Replaces: []} unconditionally: subscriptionId, tenantId, location
    // never replace the provider.
    "pulumi:providers:azure-native": [],
    // DiffConfig compares the ACTIVE cluster entry of the old and new kubeconfig, not the whole
    // text: a kubeconfig is a secret, so the offline plan keeps a digest of that entry beside the
    // digest of the whole (`kubeconfigActiveCluster`, see plan/diff.ts), and a change of
    // credentials alone is an update.
    "pulumi:providers:kubernetes": [
        rule(
            "kubeconfigActiveCluster",
            `${K8S_DIFF}/provider.go:552-557 DiffConfig: replace "kubeconfig" (or "context"/"cluster") when the ACTIVE cluster entry of the kubeconfig (server, certificate-authority-data...) differs (getActiveClusterFromConfig, util.go); a change confined to users/credentials is an update, not a replacement`,
        ),
        {
            path: "kubeconfig",
            onlyWhenUnknown: true,
            source: `${K8S_DIFF}/provider.go:507 DiffConfig: replace when kubeconfig is unknown (computed) in the new inputs`,
        },
        // enableServerSideApply / upsertExistingObjects: diffs only. (renderYamlToDirectory and
        // clusterIdentifier also replace, but the program sets neither.)
    ],
    // No ForcesProviderReplace in pulumiverse/pulumi-grafana provider/resources.go: url, auth (a
    // fresh Entra ID token every run), retries, retryWait, retryStatusCodes are updates.
    "pulumi:providers:grafana": [],
    // No ForcesProviderReplace in pulumi/pulumi-tls; the program sets no provider inputs anyway.
    "pulumi:providers:tls": [],
    // The program sets no inputs on this provider ({}), so nothing can change; no DiffConfig
    // override in pulumi-docker-build v0.0.22 provider/internal.
    "pulumi:providers:docker-build": [],
    // pulumi/pulumi-pulumiservice v1.3.0 provider/pkg/provider/provider.go:349 DiffConfig returns an
    // empty DiffResponse (deployments/ project only).
    "pulumi:providers:pulumiservice": [],
};

/**
 * Outputs a provider recomputes when it updates a resource in place (unknown in a preview until
 * applied), for the types whose outputs the program feeds into other resources: the inputs
 * computed from such a resource show as known after apply, as `pulumi preview` shows them.
 * `unless`: input paths whose change alone leaves the outputs as they are.
 */
export const RECOMPUTED_ON_UPDATE: Readonly<
    Record<
        string,
        {
            readonly outputs: readonly string[];
            readonly unless: readonly string[];
            readonly source: string;
        }
    >
> = {
    // The Auto Scaling group follows `latestVersion`: a new template version rolls the fleet.
    "aws:ec2/launchTemplate:LaunchTemplate": {
        outputs: ["latestVersion"],
        unless: ["name", "namePrefix", "description", "defaultVersion", "updateDefaultVersion"],
        source: 'hashicorp/terraform-provider-aws internal/service/ec2/ec2_launch_template.go CustomizeDiff: customdiff.ComputedIf("latest_version", ...) true for any changed key but name, name_prefix, description, default_version, update_default_version',
    },
};

/**
 * Whether a replacement deletes the old resource before it creates the new one: the
 * `deleteBeforeReplace` option when the program sets it (the engine lets it override the
 * provider: step_generator.go, "The user can override the provider's decision"), else the
 * provider's choice, which each provider makes in its Diff:
 * - azure-native: always (pulumi/pulumi-azure-native provider/pkg/provider/provider.go Diff:
 *   `deleteBeforeReplace := len(replaces) > 0`);
 * - kubernetes: when the object keeps a name the program sets, in the same namespace
 *   (pulumi/pulumi-kubernetes provider/pkg/provider/provider.go Diff: replaced, not autonamed,
 *   same name, same namespace); a Helm release is not an object and is left out;
 * - Terraform-bridged (aws, gcp, grafana, tls): when an autonameable property is set by the
 *   program rather than the autonamer (pulumi/pulumi-terraform-bridge pkg/tfbridge/provider.go
 *   nameRequiresDeleteBeforeReplace); approximated here by an explicit, unchanged `name`.
 */
export function deletesBeforeReplace(
    old: { readonly inputs: Record<string, unknown> },
    now: {
        readonly type: string;
        readonly inputs: Record<string, unknown>;
        readonly deleteBeforeReplace?: boolean;
    },
): boolean {
    if (now.deleteBeforeReplace !== undefined) return now.deleteBeforeReplace;
    const pkg = now.type.split(":")[0];
    if (pkg === "azure-native") return true;
    if (pkg === "kubernetes" && !now.type.startsWith("kubernetes:helm.sh/")) {
        const meta = (inputs: Record<string, unknown>) =>
            (inputs.metadata ?? {}) as { name?: unknown; namespace?: unknown };
        const [was, is] = [meta(old.inputs), meta(now.inputs)];
        return (
            typeof is.name === "string" && is.name === was.name && is.namespace === was.namespace
        );
    }
    if (["aws", "gcp", "grafana", "tls"].includes(pkg)) {
        return typeof now.inputs.name === "string" && now.inputs.name === old.inputs.name;
    }
    return false;
}

/**
 * Provider inputs whose change replaces the resources the provider manages, though not the
 * provider itself: the provider's DiffConfig updates, and each resource's own diff forces new.
 */
export const PROVIDER_INPUTS_REPLACING_RESOURCES: Readonly<
    Record<
        string,
        readonly {
            readonly path: string;
            /** Resource types that are not affected. */
            readonly spares: (type: string) => boolean;
            readonly source: string;
        }[]
    >
> = {
    "pulumi:providers:aws": [
        {
            path: "region",
            // IAM is global: no region attribute.
            spares: (type) => type.startsWith("aws:iam/"),
            source: "hashicorp/terraform-provider-aws v6 internal/provider/sdkv2 region.go: each regional resource's region defaults to the provider's and forceNewIfRegionChanges (pulumi-aws v7 no longer replaces the provider: pulumi/pulumi-aws#5652)",
        },
    ],
};

/**
 * What a replacement or a deletion will run into that the plan alone does not show: the
 * provider refuses it, or it removes more than the resource. `createFirst`: the replacement is
 * created before the old resource is deleted.
 */
export function operationWarnings(
    op: "replace" | "delete",
    old: { readonly type: string; readonly inputs: Record<string, unknown> },
    now: { readonly inputs: Record<string, unknown> } | undefined,
    createFirst: boolean,
): string[] {
    const warnings: string[] = [];
    const { type, inputs } = old;
    if (type === "gcp:container/cluster:Cluster") {
        if (inputs.deletionProtection === true) {
            warnings.push(
                "deletionProtection is true on the running cluster: its delete fails (terraform-provider-google " +
                    'resource_container_cluster.go: "Cannot destroy cluster because deletion_protection is set to true"); ' +
                    "set deletionProtection to false and apply that first",
            );
        }
        const range = (i?: Record<string, unknown>) =>
            (i?.privateClusterConfig as { masterIpv4CidrBlock?: unknown } | undefined)
                ?.masterIpv4CidrBlock;
        if (
            op === "replace" &&
            createFirst &&
            range(inputs) &&
            range(inputs) === range(now?.inputs)
        ) {
            warnings.push(
                `the new cluster is created before the old one is deleted, with the same control-plane range ${String(range(inputs))}, ` +
                    "which must not overlap a range in use in the network: the create fails; give it another range",
            );
        }
    }
    if (type === "aws:lb/loadBalancer:LoadBalancer" && inputs.enableDeletionProtection === true) {
        warnings.push(
            "enableDeletionProtection is true on the running load balancer: its delete fails (OperationNotPermitted); " +
                "set aws.loadBalancer.deletionProtection to false and apply that first",
        );
    }
    if (type === "aws:s3/bucket:Bucket" && inputs.forceDestroy !== true) {
        warnings.push(
            "S3 deletes only an empty bucket (DeleteBucket: BucketNotEmpty) and forceDestroy is not set: " +
                "empty it first (e.g. aws s3 rm s3://<bucket> --recursive), or keep the logs and `pulumi state delete` it",
        );
    }
    if (type === "azure-native:resources:ResourceGroup") {
        warnings.push("deleting a resource group deletes everything in it, whatever manages it");
    }
    return warnings;
}
