/**
 * What the identity that deploys the main project (Pulumi Deployments' OIDC identity, or whoever
 * runs `pulumi up`) needs on each cloud, least privilege, as data: docs/permissions.md is written
 * from it, and tests/deployments.test.ts checks it against every resource type, invoke and role
 * grant the committed stacks plan, so a new resource type or a new role the program hands out
 * cannot slip by without a permission to match.
 *
 * Pure: no Pulumi, no cloud SDK.
 */
import { ACCESS_LOG_BUCKET_NAME } from "../components/aws/checks";

/** A cloud whose API the deploying identity calls. */
export type PermissionCloud = "aws" | "gcp" | "azure";

/** One grant to the deploying identity. */
export interface DeployerGrant {
    /** A stable key, the first column of the grant's row in docs/permissions.md. */
    readonly key: string;
    readonly cloud: PermissionCloud;
    /** The role (or, on AWS, the policy statement) granted. */
    readonly grant: string;
    /** Where it is granted. */
    readonly scope: string;
    /** The Pulumi type tokens (resources and invokes) whose create/update/delete/read it allows. */
    readonly covers: readonly string[];
    /** Why, in one sentence. */
    readonly why: string;
}

// --- Azure ------------------------------------------------------------------------------------

/**
 * Built-in roles the deploying identity holds (ids from Microsoft's built-in roles reference,
 * https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/privileged and
 * .../management-and-governance).
 */
export const AZURE_DEPLOYER_ROLES = {
    /** Actions: everything; NotActions include every Microsoft.Authorization write and delete. */
    contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    /** Everything on policy assignments, definitions, set definitions and exemptions; PolicyInsights. */
    resourcePolicyContributor: "36243c78-bf99-498c-9df9-86d9f8d28608",
    /** roleAssignments/write and /delete (constrained by a condition), and read everywhere. */
    rbacAdministrator: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
} as const;

/**
 * Every role the program itself assigns (to groups, to the policy assignments' managed
 * identities, to the Grafana workspace's identity, to the deploying identity on Grafana). The
 * Role Based Access Control Administrator grant is constrained to exactly these.
 */
export const AZURE_ASSIGNABLE_ROLES = {
    "Grafana Admin": "22926164-76b3-42b3-bc55-97df8dab3e41",
    "Grafana Viewer": "60921a7e-fef1-4a43-9b16-a26c52ad4769",
    "Monitoring Reader": "43d0d8ad-25c7-4714-9337-8ba259a9fe05",
    "Azure Arc Kubernetes Cluster Admin": "8393591c-06b9-48a2-a542-1bd6b377f6a2",
    "Azure Arc Kubernetes Viewer": "63f0a09d-1495-4db4-a681-037d84835eb4",
    "Azure Arc Enabled Kubernetes Cluster User Role": "00493d72-78f6-4148-b6c5-d3ce8e4799dd",
    /** The remediation identities of the DeployIfNotExists assignments (Flux, Container Insights). */
    Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    /** The remediation identity of the Azure Policy extension assignment. */
    "Kubernetes Extension Contributor": "85cb6faf-e071-4c9b-8136-154b5a04f717",
    /** Each connected cluster's own identity, on its cluster, so the Azure RBAC guard can call checkAccess. */
    "Connected Cluster Managed Identity CheckAccess Reader": "65a14201-8f6c-4c28-bec4-12619c5a9aaa",
    /** The Azure registry's own identity, on the Key Vault of its customer-managed key. */
    "Key Vault Crypto Service Encryption User": "e147488a-f6f5-4113-8e2d-b22465e65bf6",
} as const;

/**
 * The ABAC condition (version 2.0) that lets a Role Based Access Control Administrator grant
 * add and remove assignments of `roleIds` only: the "Constrain roles" example of
 * https://learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-examples
 * (`@Request[...]` for writes, `@Resource[...]` for deletes, `ForAnyOfAnyValues:GuidEquals`).
 */
export function azureRoleAssignmentCondition(roleIds: readonly string[]): string {
    const ids = [...new Set(roleIds.map((id) => id.toLowerCase()))].sort().join(", ");
    return (
        `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR ` +
        `(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}})) AND ` +
        `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR ` +
        `(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}}))`
    );
}

// --- Google Cloud -----------------------------------------------------------------------------

/** Project roles the program grants (`gcp.projects.IAMMember`): the only ones the deployer may grant. */
export const GCP_GRANTABLE_PROJECT_ROLES = [
    "roles/artifactregistry.reader",
    "roles/autoscaling.metricsWriter",
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
] as const;

/** Roles per `hasOnly` list; longer lists are split and joined with `||`. */
export const GCP_ROLES_PER_LIST = 10;

/**
 * The IAM condition on the deployer's Project IAM Admin binding that limits the roles it may
 * grant or revoke to `roles`: https://cloud.google.com/iam/docs/setting-limits-on-granting-roles
 * (`api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly([...])`).
 */
export function gcpGrantCondition(roles: readonly string[]): string {
    const sorted = [...new Set(roles)].sort();
    const lists: string[][] = [];
    for (let i = 0; i < sorted.length; i += GCP_ROLES_PER_LIST) {
        lists.push(sorted.slice(i, i + GCP_ROLES_PER_LIST));
    }
    return lists
        .map(
            (list) =>
                `api.getAttribute('iam.googleapis.com/modifiedGrantsByRole', []).hasOnly([${list
                    .map((r) => `'${r}'`)
                    .join(", ")}])`,
        )
        .join(" || ");
}

// --- AWS --------------------------------------------------------------------------------------

/** Service-linked roles the program (or AWS on its behalf) creates. */
export const AWS_SERVICE_LINKED_ROLE_SERVICES = [
    "autoscaling.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
] as const;

interface PolicyStatement {
    readonly Sid: string;
    readonly Effect: "Allow";
    readonly Action: readonly string[];
    readonly Resource: string | readonly string[];
    readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

/** The customer-managed policy of the deploying role: one statement per concern. */
export function awsDeployerPolicy(): {
    Version: "2012-10-17";
    Statement: readonly PolicyStatement[];
} {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "FleetServices",
                Effect: "Allow",
                Action: [
                    "autoscaling:*",
                    "cloudwatch:*",
                    "ec2:*",
                    "ecr:*",
                    "elasticloadbalancing:*",
                    "logs:*",
                    "sns:*",
                    "wafv2:*",
                ],
                Resource: "*",
            },
            {
                // KMS, not kms:*: the program's own key is an `aws.kms.Key` (AsgFleet, for the
                // root volumes and the alert topic) and nothing else of KMS. CreateKey takes no
                // resource. The provider's aws_kms_key calls exactly these on it (hashicorp/
                // terraform-provider-aws internal/service/kms/key.go: CreateKey with tags,
                // DescribeKey, GetKeyPolicy, GetKeyRotationStatus, ListResourceTags,
                // Enable/DisableKeyRotation, Enable/DisableKey, UpdateKeyDescription,
                // PutKeyPolicy, ScheduleKeyDeletion; tags through Tag/UntagResource). No
                // Encrypt, Decrypt or GenerateDataKey: the services use the key through its key
                // policy (Auto Scaling's role, CloudWatch) or their grants, never as the deployer.
                Sid: "CreateFleetKeys",
                Effect: "Allow",
                Action: ["kms:CreateKey"],
                Resource: "*",
            },
            {
                Sid: "ManageFleetKeys",
                Effect: "Allow",
                Action: [
                    "kms:DescribeKey",
                    "kms:DisableKey",
                    "kms:DisableKeyRotation",
                    "kms:EnableKey",
                    "kms:EnableKeyRotation",
                    "kms:GetKeyPolicy",
                    "kms:GetKeyRotationStatus",
                    "kms:ListResourceTags",
                    "kms:PutKeyPolicy",
                    "kms:ScheduleKeyDeletion",
                    "kms:TagResource",
                    "kms:UntagResource",
                    "kms:UpdateKeyDescription",
                ],
                Resource: "arn:aws:kms:*:*:key/*",
            },
            {
                // The ECR repository is KMS-encrypted (AppImage): creating it, ECR calls
                // DescribeKey and CreateGrant on the key on the deployer's behalf (Amazon ECR
                // User Guide, "Encryption at rest"), and a role that creates repositories needs
                // kms:CreateGrant, kms:RetireGrant and kms:DescribeKey (ECR User Guide, "Create
                // a custom policy for repository creation templates"). CreateGrant only when an
                // AWS service asks for it ("kms:GrantIsForAWSResource: Allows principals to call
                // CreateGrant, ListGrants, or RevokeGrant only when an AWS service that is
                // integrated with AWS KMS sends the request on the principal's behalf", AWS KMS
                // Developer Guide, "Controlling access to grants").
                Sid: "ServicesGrantThemselvesTheKeys",
                Effect: "Allow",
                Action: ["kms:CreateGrant"],
                Resource: "arn:aws:kms:*:*:key/*",
                Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
            },
            {
                Sid: "ServicesRetireTheirGrants",
                Effect: "Allow",
                Action: ["kms:RetireGrant"],
                Resource: "arn:aws:kms:*:*:key/*",
            },
            {
                // The load balancer's access-log bucket (components/aws/AccessLogBucket.ts, named
                // app-alb-logs-<suffix> in index.ts): bucket-level calls only, no object reads.
                // The AWS provider reads every bucket setting (HeadBucket is s3:ListBucket).
                Sid: "AccessLogBucket",
                Effect: "Allow",
                Action: [
                    "s3:CreateBucket",
                    "s3:DeleteBucket",
                    "s3:DeleteBucketPolicy",
                    "s3:GetAccelerateConfiguration",
                    "s3:GetBucket*",
                    "s3:GetEncryptionConfiguration",
                    "s3:GetLifecycleConfiguration",
                    "s3:GetReplicationConfiguration",
                    "s3:ListBucket",
                    "s3:PutBucket*",
                    "s3:PutEncryptionConfiguration",
                    "s3:PutLifecycleConfiguration",
                ],
                Resource: `arn:aws:s3:::${ACCESS_LOG_BUCKET_NAME}-*`,
            },
            {
                Sid: "PublicAmiParameters",
                Effect: "Allow",
                Action: ["ssm:GetParameter", "ssm:GetParameters"],
                Resource: "arn:aws:ssm:*::parameter/aws/service/*",
            },
            {
                Sid: "Identity",
                Effect: "Allow",
                Action: ["sts:GetCallerIdentity"],
                Resource: "*",
            },
            {
                Sid: "StackRolesAndDashboardUser",
                Effect: "Allow",
                Action: [
                    "iam:AddRoleToInstanceProfile",
                    "iam:AttachRolePolicy",
                    "iam:CreateAccessKey",
                    "iam:CreateInstanceProfile",
                    "iam:CreateRole",
                    "iam:CreateUser",
                    "iam:DeleteAccessKey",
                    "iam:DeleteInstanceProfile",
                    "iam:DeleteRole",
                    "iam:DeleteRolePolicy",
                    "iam:DeleteUser",
                    "iam:DeleteUserPolicy",
                    "iam:DetachRolePolicy",
                    "iam:Get*",
                    "iam:List*",
                    "iam:PutRolePolicy",
                    "iam:PutUserPolicy",
                    "iam:RemoveRoleFromInstanceProfile",
                    "iam:TagInstanceProfile",
                    "iam:TagRole",
                    "iam:TagUser",
                    "iam:UntagInstanceProfile",
                    "iam:UntagRole",
                    "iam:UntagUser",
                    "iam:UpdateAssumeRolePolicy",
                    "iam:UpdateRole",
                ],
                Resource: [
                    "arn:aws:iam::*:role/*",
                    "arn:aws:iam::*:instance-profile/*",
                    "arn:aws:iam::*:user/grafana/*",
                ],
            },
            {
                Sid: "PassTheInstanceRoleToEc2Only",
                Effect: "Allow",
                Action: ["iam:PassRole"],
                Resource: "arn:aws:iam::*:role/*",
                Condition: { StringEquals: { "iam:PassedToService": "ec2.amazonaws.com" } },
            },
            {
                // The fleet's own Auto Scaling service-linked role (custom suffix), named in its
                // KMS key policy and given to the group: a group with a non-default
                // service-linked role needs iam:PassRole on it
                // (docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-api-permissions.html).
                Sid: "PassTheFleetRoleToAutoScaling",
                Effect: "Allow",
                Action: ["iam:PassRole"],
                Resource:
                    "arn:aws:iam::*:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_*",
            },
            {
                Sid: "ServiceLinkedRoles",
                Effect: "Allow",
                Action: [
                    "iam:CreateServiceLinkedRole",
                    "iam:DeleteServiceLinkedRole",
                    "iam:GetServiceLinkedRoleDeletionStatus",
                ],
                Resource: "arn:aws:iam::*:role/aws-service-role/*",
                Condition: {
                    StringEquals: { "iam:AWSServiceName": [...AWS_SERVICE_LINKED_ROLE_SERVICES] },
                },
            },
        ],
    };
}

/**
 * The IAM service prefix each AWS token of the program calls, so the tests can check that the
 * policy above allows every one. `aws:index/getPartition` is answered locally.
 */
export const AWS_SERVICE_OF: Readonly<Record<string, readonly string[]>> = {
    "aws:autoscaling/group:Group": ["autoscaling", "iam"],
    "aws:autoscaling/policy:Policy": ["autoscaling"],
    "aws:cloudwatch/logGroup:LogGroup": ["logs"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": ["cloudwatch"],
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ["ec2"],
    "aws:ec2/eip:Eip": ["ec2"],
    "aws:ec2/internetGateway:InternetGateway": ["ec2"],
    "aws:ec2/launchTemplate:LaunchTemplate": ["ec2", "iam"],
    "aws:ec2/natGateway:NatGateway": ["ec2"],
    "aws:ec2/route:Route": ["ec2"],
    "aws:ec2/routeTable:RouteTable": ["ec2"],
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ["ec2"],
    "aws:ec2/securityGroup:SecurityGroup": ["ec2"],
    "aws:ec2/subnet:Subnet": ["ec2"],
    "aws:ec2/vpc:Vpc": ["ec2"],
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["ec2"],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["ec2"],
    // ECR creates its grants on the repository's KMS key on the deployer's behalf.
    "aws:ecr/repository:Repository": ["ecr", "kms"],
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": ["ecr"],
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": ["ecr"],
    "aws:iam/accessKey:AccessKey": ["iam"],
    "aws:iam/instanceProfile:InstanceProfile": ["iam"],
    "aws:iam/role:Role": ["iam"],
    "aws:iam/rolePolicy:RolePolicy": ["iam"],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["iam"],
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": ["iam"],
    "aws:iam/user:User": ["iam"],
    "aws:iam/userPolicy:UserPolicy": ["iam"],
    "aws:kms/key:Key": ["kms"],
    "aws:lb/listener:Listener": ["elasticloadbalancing"],
    "aws:lb/loadBalancer:LoadBalancer": ["elasticloadbalancing", "iam"],
    "aws:lb/targetGroup:TargetGroup": ["elasticloadbalancing"],
    "aws:sns/topic:Topic": ["sns"],
    "aws:sns/topicSubscription:TopicSubscription": ["sns"],
    "aws:wafv2/webAcl:WebAcl": ["wafv2"],
    "aws:wafv2/webAclAssociation:WebAclAssociation": ["wafv2", "elasticloadbalancing"],
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": ["wafv2", "logs"],
    "aws:s3/bucket:Bucket": ["s3"],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["s3"],
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ["s3"],
    "aws:s3/bucketPolicy:BucketPolicy": ["s3"],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["s3"],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
        "s3",
    ],
    // A table inside the provider (elb/service_account_data_source.go): no AWS call.
    "aws:elb/getServiceAccount:getServiceAccount": [],
    "aws:ssm/getParameter:getParameter": ["ssm"],
    "aws:index/getCallerIdentity:getCallerIdentity": ["sts"],
    "aws:index/getAvailabilityZones:getAvailabilityZones": ["ec2"],
    "aws:index/getPartition:getPartition": [],
};

// --- Every grant, per cloud --------------------------------------------------------------------

const AWS_TOKENS = Object.keys(AWS_SERVICE_OF);

export const DEPLOYER_GRANTS: readonly DeployerGrant[] = [
    // AWS: one role, one customer-managed policy (awsDeployerPolicy).
    {
        key: "aws-deployer-policy",
        cloud: "aws",
        grant: "customer-managed policy `multicloud-deployer` (below)",
        scope: "the stack's account",
        covers: AWS_TOKENS,
        why: "the VPC, the Auto Scaling fleet and its launch template, the ALB, WAF, KMS key, ECR repository, alarms and SNS topic; the instance role and the dashboard's CloudWatch role and user; the Auto Scaling and ELB service-linked roles",
    },
    // Google Cloud: predefined roles on the stack's project.
    {
        key: "roles/serviceusage.serviceUsageAdmin",
        cloud: "gcp",
        grant: "Service Usage Admin",
        scope: "project",
        covers: ["gcp:projects/service:Service", "gcp:projects/serviceIdentity:ServiceIdentity"],
        why: "enables the APIs the program needs (`ProjectServices`) and creates the Artifact Registry service agent (`ServiceIdentity`)",
    },
    {
        key: "roles/container.admin",
        cloud: "gcp",
        grant: "Kubernetes Engine Admin",
        scope: "project",
        covers: [
            "gcp:container/cluster:Cluster",
            "gcp:container/nodePool:NodePool",
            "gcp:organizations/getClientConfig:getClientConfig",
        ],
        why: "creates the GKE clusters and node pools, and applies the workload's Kubernetes objects (namespace, RBAC, Deployment) inside them",
    },
    {
        key: "roles/compute.networkAdmin",
        cloud: "gcp",
        grant: "Compute Network Admin",
        scope: "project",
        covers: ["gcp:compute/router:Router", "gcp:compute/routerNat:RouterNat"],
        why: "the Cloud Router and Cloud NAT that give the private nodes egress",
    },
    {
        key: "roles/iam.serviceAccountAdmin",
        cloud: "gcp",
        grant: "Service Account Admin",
        scope: "project",
        covers: ["gcp:serviceaccount/account:Account"],
        why: "the node pools' service accounts and the dashboard's Cloud Monitoring reader",
    },
    {
        key: "roles/iam.serviceAccountUser",
        cloud: "gcp",
        grant: "Service Account User",
        scope: "project",
        covers: [],
        why: "`iam.serviceAccounts.actAs` on the node service accounts, which a cluster or node pool that runs as them requires",
    },
    {
        key: "roles/iam.serviceAccountKeyAdmin",
        cloud: "gcp",
        grant: "Service Account Key Admin",
        scope: "project",
        covers: ["gcp:serviceaccount/key:Key"],
        why: "the key of the dashboard's Cloud Monitoring reader (the only key the program creates)",
    },
    {
        key: "roles/cloudkms.admin",
        cloud: "gcp",
        grant: "Cloud KMS Admin",
        scope: "project",
        covers: [
            "gcp:kms/keyRing:KeyRing",
            "gcp:kms/cryptoKey:CryptoKey",
            "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
        ],
        why: "the clusters' Secrets-encryption keys, and binding the GKE and Artifact Registry service agents to their keys (no encrypt/decrypt for the deployer itself)",
    },
    {
        key: "roles/artifactregistry.admin",
        cloud: "gcp",
        grant: "Artifact Registry Administrator",
        scope: "project",
        covers: ["gcp:artifactregistry/repository:Repository"],
        why: "creates the image repository and pushes the image built by `AppImage`",
    },
    {
        key: "roles/gkehub.admin",
        cloud: "gcp",
        grant: "GKE Hub Admin",
        scope: "project",
        covers: [
            "gcp:gkehub/membership:Membership",
            "gcp:gkehub/feature:Feature",
            "gcp:gkehub/featureMembership:FeatureMembership",
        ],
        why: "fleet memberships and the Config Sync feature",
    },
    {
        key: "roles/gkemulticloud.admin",
        cloud: "gcp",
        grant: "Anthos Multi-Cloud Admin",
        scope: "project",
        covers: [
            "gcp:container/attachedCluster:AttachedCluster",
            "gcp:container/getAttachedInstallManifest:getAttachedInstallManifest",
        ],
        why: "GKE attached clusters (`gcp.attachedClusters`, and edge sites with `edge.anthos.enabled`)",
    },
    {
        key: "roles/resourcemanager.projectIamAdmin",
        cloud: "gcp",
        grant: "Project IAM Admin, with the condition below",
        scope: "project",
        covers: ["gcp:projects/iAMMember:IAMMember", "gcp:organizations/getProject:getProject"],
        why: "grants the node service accounts and the dashboard reader their project roles, and nothing else",
    },
    // Azure: built-in roles on the stack's subscription.
    {
        key: "Contributor",
        cloud: "azure",
        grant: "Contributor",
        scope: "subscription",
        covers: [
            "azure-native:resources:ResourceGroup",
            "azure-native:containerregistry:Registry",
            "azure-native:managedidentity:UserAssignedIdentity",
            "azure-native:dashboard:Grafana",
            "azure-native:kubernetes:ConnectedCluster",
            "azure-native:monitor:DataCollectionRule",
            "azure-native:operationalinsights:Workspace",
            "azure-native:authorization:getClientConfig",
            "azure-native:authorization:getClientToken",
        ],
        why: "creates the resource group (so subscription scope) and everything in it, registers the resource providers, and pushes to the registry (`registries/push/write` is an Action, not a DataAction, in the default RBAC mode)",
    },
    {
        key: "Resource Policy Contributor",
        cloud: "azure",
        grant: "Resource Policy Contributor",
        scope: "subscription",
        covers: [
            "azure-native:authorization:PolicyDefinition",
            "azure-native:authorization:PolicyAssignment",
        ],
        why: "the custom Container Insights policy definition (a subscription-level resource) and the policy assignments; Contributor's NotActions exclude `Microsoft.Authorization/*/Write`",
    },
    {
        key: "Role Based Access Control Administrator",
        cloud: "azure",
        grant: "Role Based Access Control Administrator, with the condition below",
        scope: "subscription",
        covers: ["azure-native:authorization:RoleAssignment"],
        why: "the role assignments of the Arc groups, the policies' remediation identities, the connected clusters' identities and the Grafana workspace, and only of the roles listed",
    },
];

/** The grants a stack needs: those covering one of the tokens its plan uses. */
export function grantsFor(tokens: Iterable<string>): DeployerGrant[] {
    const used = new Set(tokens);
    return DEPLOYER_GRANTS.filter(
        (g) =>
            g.covers.some((t) => used.has(t)) ||
            // actAs follows the clusters and node pools that run as the node service accounts.
            (g.key === "roles/iam.serviceAccountUser" &&
                used.has("gcp:container/nodePool:NodePool")),
    );
}

/** The Pulumi packages whose calls reach a cloud API with the deploying identity. */
export const CLOUD_OF_PACKAGE: Readonly<Record<string, PermissionCloud>> = {
    aws: "aws",
    gcp: "gcp",
    "azure-native": "azure",
};

// --- Pull-request previews ----------------------------------------------------------------------

/**
 * GitHub's OIDC issuer. The pull-request workflow's `preview` job holds its token
 * (`id-token: write`) and exchanges it with Pulumi Cloud and each cloud for short-lived
 * credentials of the identities below, which trust nothing else: each stack's trust only the
 * subject of that stack's preview environment.
 */
export const GITHUB_OIDC_ISSUER = "https://token.actions.githubusercontent.com";

/**
 * The GitHub environment the `preview` job of a stack runs in: `pr-preview-<stack>`
 * (`environment: pr-preview-${{ matrix.stack }}` in .github/workflows/pull-request.yml; the
 * workflow test reads this constant). A constant, not config: environments belong to the
 * repository, so no other project's names can collide with them, and the workflow can only
 * spell the name as a literal pattern. Its protection rules (required reviewers for protected
 * stacks, pull-request refs only) are set in GitHub:
 * docs/delivery.md#from-an-empty-pulumi-organization-to-push-to-deploy.
 */
export const PREVIEW_ENVIRONMENT_PREFIX = "pr-preview-";

/** The GitHub environment of `stack`'s pull-request preview. */
export function previewEnvironment(stack: string): string {
    return `${PREVIEW_ENVIRONMENT_PREFIX}${stack}`;
}

/**
 * The Pulumi Cloud team of `stack`'s pull-request previews, `<prefix>-<stack>`
 * (`multicloud-deployments:previewTeamPrefix`): read on that stack and nothing else.
 */
export function previewTeamName(prefix: string, stack: string): string {
    return `${prefix}-${stack}`;
}

/**
 * The start of GitHub's default OIDC subject for `repository` (owner/name) when it does not use
 * immutable subject claims: `repo:ORG-NAME/REPO-NAME` (GitHub's OpenID Connect reference,
 * "Example subject claims"). Repositories that do (created, renamed or transferred after the
 * rollout, or opted in) put the numeric owner and repository ids in it, which no config here
 * knows: `multicloud-deployments:githubSubjectPrefix` then holds the repository's own (see
 * docs/delivery.md#from-an-empty-pulumi-organization-to-push-to-deploy).
 */
export function defaultGithubSubjectPrefix(repository: string): string {
    return `repo:${repository}`;
}

/**
 * The `sub` of the token of `stack`'s preview job: a job that references an environment gets
 * `repo:ORG-NAME/REPO-NAME:environment:ENVIRONMENT-NAME`, whatever the event ("Filtering for a
 * specific environment", GitHub's OpenID Connect reference); `subjectPrefix` is the part before
 * `:environment:`. Each stack's preview identities trust its own environment's subject only, so
 * one stack's preview job can assume no other stack's identities.
 */
export function previewSubject(subjectPrefix: string, stack: string): string {
    return `${subjectPrefix}:environment:${previewEnvironment(stack)}`;
}

/**
 * The audience (`aud`) of the GitHub token each exchange checks:
 * - AWS: `sts.amazonaws.com`, the default of aws-actions/configure-aws-credentials (v6.2.3
 *   README, "OIDC Audience");
 * - Google Cloud: the workload identity provider's full name, the default of
 *   google-github-actions/auth (v3.0.0 action.yml, `audience`) and the provider's default
 *   allowed audience, so none is set;
 * - Azure: `api://AzureADTokenExchange` ("should be set to api://AzureADTokenExchange for
 *   Microsoft Entra ID", Microsoft Graph, federatedIdentityCredential resource type).
 */
export const GITHUB_OIDC_AUDIENCE = {
    aws: "sts.amazonaws.com",
    gcp: "https://iam.googleapis.com/<the provider's full name> (the default)",
    azure: "api://AzureADTokenExchange",
} as const;

/** What `pulumi preview` calls with a cloud's credentials for one Pulumi token of the program. */
export interface PreviewCall {
    readonly cloud: PermissionCloud;
    /**
     * The IAM actions (AWS), IAM permissions (Google Cloud) or Azure RBAC actions the call needs;
     * empty when the cloud checks none.
     */
    readonly needs: readonly string[];
    /** The config that makes a stack call it, when only some stacks do. @default every stack */
    readonly onlyWith?: string;
    /** Why, with the source. */
    readonly why: string;
}

/**
 * Every call `pulumi preview` makes with the cloud identities, per Pulumi token: the providers'
 * configuration (`pulumi:providers:<package>`) and the invokes. The workflow previews without
 * `--refresh` (tests/workflows.test.ts checks it), so the resources' Read is never called, and
 * the providers answer Check and Diff from the program's inputs and the state. The committed
 * stacks' plans call exactly the invokes below (tests/deployments.test.ts plans them and fails
 * on a token missing here), so a new invoke cannot slip past the preview identities.
 */
export const PREVIEW_CALLS: Readonly<Record<string, PreviewCall>> = {
    "pulumi:providers:aws": {
        cloud: "aws",
        needs: [],
        why: 'the provider validates its credentials and learns its account with `sts:GetCallerIdentity` only (hashicorp/aws-sdk-go-base, aws_config.go, unless skip_credentials_validation), which needs no permission ("No permissions are required to perform this operation", AWS STS API reference, GetCallerIdentity)',
    },
    "aws:index/getCallerIdentity:getCallerIdentity": {
        cloud: "aws",
        needs: [],
        why: "`sts:GetCallerIdentity`, which needs no permission (AWS STS API reference)",
    },
    "aws:index/getPartition:getPartition": {
        cloud: "aws",
        needs: [],
        why: "answered by the provider from its own configuration: no AWS call",
    },
    "aws:elb/getServiceAccount:getServiceAccount": {
        cloud: "aws",
        needs: [],
        why: "a table inside the provider (elb/service_account_data_source.go): no AWS call",
    },
    "aws:index/getAvailabilityZones:getAvailabilityZones": {
        cloud: "aws",
        needs: ["ec2:DescribeAvailabilityZones"],
        why: "`DescribeAvailabilityZones` (terraform-provider-aws, internal/service/ec2/ec2_availability_zones_data_source.go): the VPC's subnets",
    },
    "aws:ssm/getParameter:getParameter": {
        cloud: "aws",
        needs: ["ssm:GetParameter"],
        why: "the fleet's AMI from AWS's public parameters under /aws/service/ (internal/service/ssm/parameter_data_source.go); public parameters are String, so nothing is decrypted",
    },
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": {
        cloud: "aws",
        needs: ["ecr:GetAuthorizationToken"],
        why: '`AppImage` logs in to its ECR repository once it exists (internal/service/ecr/authorization_token_data_source.go); the token "can be used to access any Amazon ECR registry that your IAM principal has access to" (ECR API reference, GetAuthorizationToken), and the preview role has access to none',
    },
    "pulumi:providers:gcp": {
        cloud: "gcp",
        needs: ["compute.regions.list"],
        why: "the provider takes an access token for the service account (google-github-actions/auth impersonates it: the pool's principal needs `roles/iam.workloadIdentityUser` on it, the trust below); with a project and a region set, pulumi-gcp's preConfigureCallback lists the project's regions to check the region (pulumi/pulumi-gcp provider/resources.go, getRegionsList: `compute.regions.list`, public region names), and only warns `failed to get regions list` without it",
    },
    "gcp:organizations/getClientConfig:getClientConfig": {
        cloud: "gcp",
        needs: [],
        why: "returns the provider's own access token, project and region: no API call",
    },
    "gcp:organizations/getProject:getProject": {
        cloud: "gcp",
        needs: ["resourcemanager.projects.get"],
        why: "the project number, for the GKE clusters' and the fleet memberships' workload identity; the provider also reads the project's billing info (resource_google_project.go, cloudbilling.projects.getBillingInfo), which takes the same `resourcemanager.projects.get` (Cloud Billing API reference) and only warns where the API is off",
    },
    "gcp:container/getAttachedInstallManifest:getAttachedInstallManifest": {
        cloud: "gcp",
        needs: ["gkemulticloud.attachedClusters.generateInstallManifest"],
        onlyWith: "`gcp.attachedClusters`, or edge sites with `edge.anthos.enabled`",
        why: "the bootstrap manifest of each attached cluster (GenerateAttachedClusterInstallManifest, permission gkemulticloud.attachedClusters.generateInstallManifest, an ADMIN_READ: Google Cloud attached clusters API audit logging)",
    },
    "pulumi:providers:azure-native": {
        cloud: "azure",
        needs: [],
        why: "Configure builds the ARM clients from the federated token and calls nothing (pulumi/pulumi-azure-native, provider/pkg/provider/provider.go, Configure); Check takes a resource's location from the provider's `location`, which the program sets, before it would read a resource group (getDefaultLocation)",
    },
    "azure-native:authorization:getClientConfig": {
        cloud: "azure",
        needs: [],
        why: "client, tenant and subscription ids from the provider's auth config, and the object id from the token's `oid` claim; Microsoft Graph is asked only for a token without one (auth_getclientconfig.go), and a workload identity federation token carries it",
    },
    "azure-native:authorization:getClientToken": {
        cloud: "azure",
        needs: [],
        why: "a token from Microsoft Entra ID for the identity itself (provider.go, getClientToken): no ARM call, and a token with no role behind it reads nothing",
    },
};

/** The calls of `tokens` (from a plan) to `cloud`, and those of its provider. */
export function previewNeeds(cloud: PermissionCloud, tokens: Iterable<string>): string[] {
    const needs = new Set<string>();
    for (const token of tokens) {
        const call = PREVIEW_CALLS[token];
        if (call?.cloud === cloud) for (const n of call.needs) needs.add(n);
    }
    return [...needs].sort();
}

/**
 * The AWS preview role's policy (`multicloud-preview`): exactly the actions of PREVIEW_CALLS.
 * Not AWS's ReadOnlyAccess or ViewOnlyAccess: ReadOnlyAccess reads S3 objects, SSM parameters
 * of every kind and more, and both read far beyond what a preview calls.
 */
export function awsPreviewPolicy(): {
    Version: "2012-10-17";
    Statement: readonly PolicyStatement[];
} {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                // EC2's Describe actions take no resource-level permissions.
                Sid: "AvailabilityZones",
                Effect: "Allow",
                Action: ["ec2:DescribeAvailabilityZones"],
                Resource: "*",
            },
            {
                Sid: "PublicAmiParameters",
                Effect: "Allow",
                Action: ["ssm:GetParameter"],
                Resource: "arn:aws:ssm:*::parameter/aws/service/*",
            },
            {
                // GetAuthorizationToken is account-wide: it takes no resource.
                Sid: "RegistryLogin",
                Effect: "Allow",
                Action: ["ecr:GetAuthorizationToken"],
                Resource: "*",
            },
        ],
    };
}

/**
 * The AWS preview role's trust policy (`github-preview-<stack>`): GitHub's tokens of one
 * stack's preview job only, `subject` being previewSubject(prefix, stack).
 */
export function awsPreviewTrustPolicy(accountId: string, subject: string) {
    const host = GITHUB_OIDC_ISSUER.replace(/^https:\/\//, "");
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: "sts:AssumeRoleWithWebIdentity",
                Principal: { Federated: `arn:aws:iam::${accountId}:oidc-provider/${host}` },
                Condition: {
                    StringEquals: {
                        [`${host}:aud`]: GITHUB_OIDC_AUDIENCE.aws,
                        [`${host}:sub`]: subject,
                    },
                },
            },
        ],
    };
}

/**
 * The Google Cloud preview custom role (`multicloudPreview`, on the stack's project): the
 * permissions of PREVIEW_CALLS that every stack needs. Not roles/viewer, which reads every
 * resource of the project; not roles/browser, which adds folders, organizations and the
 * project's allow policy; not roles/gkemulticloud.viewer, which can also generate access tokens
 * to GKE's AWS and Azure clusters.
 */
export function gcpPreviewRolePermissions(): string[] {
    return [
        ...new Set(
            Object.values(PREVIEW_CALLS)
                .filter((c) => c.cloud === "gcp" && c.onlyWith === undefined)
                .flatMap((c) => c.needs),
        ),
    ].sort();
}

/**
 * The condition of the Google Cloud workload identity provider of `stack`'s project: admit only
 * this repository's jobs in the stack's preview environment (google-github-actions/auth README:
 * "Always add an Attribute Condition to restrict entry into the Workload Identity Pool"). The
 * `repository` and `environment` claims are names (GitHub's OpenID Connect reference, "Custom
 * claims provided by GitHub"); the service account's binding names the exact subject, which
 * carries the numeric ids when the repository uses immutable subject claims.
 */
export function gcpPreviewProviderCondition(repository: string, stack: string): string {
    return `assertion.repository == '${repository}' && assertion.environment == '${previewEnvironment(stack)}'`;
}

/**
 * What each pull-request preview identity may do, and what not: the trust-model rows of
 * docs/permissions.md#pull-request-previews, one per kind of identity, for any stack `<stack>`.
 */
export interface PreviewIdentity {
    readonly key: string;
    readonly identity: string;
    readonly trusted: string;
    readonly may: string;
    readonly mayNot: string;
}

/** The preview identities of a stack `<stack>`, in the order of the doc's table. */
export function previewIdentities(
    repository: string,
    teamPrefix: string,
    subjectPrefix: string,
): PreviewIdentity[] {
    const stack = "<stack>";
    const sub = previewSubject(subjectPrefix, stack);
    return [
        {
            key: "pulumi-cloud",
            identity: `Pulumi Cloud team \`${previewTeamName(teamPrefix, stack)}\` (a team token, one hour at most)`,
            trusted: `OIDC issuer \`${GITHUB_OIDC_ISSUER}\`, \`aud\` \`urn:pulumi:org:<org>\`, \`sub\` \`${sub}\``,
            may: "read its own stack: preview it, decrypt its config (secrets included), read its resources and history",
            mayNot: "read any other stack; update, refresh, destroy, import or delete a stack; change config, tags, deployment settings, teams or the policy group",
        },
        {
            key: "aws",
            identity: "IAM role `github-preview-<stack>` with policy `multicloud-preview`",
            trusted: `\`${GITHUB_OIDC_ISSUER}\`, \`aud\` \`${GITHUB_OIDC_AUDIENCE.aws}\`, \`sub\` \`${sub}\``,
            may: previewNeeds("aws", Object.keys(PREVIEW_CALLS))
                .map((a) => `\`${a}\``)
                .join(", "),
            mayNot: "create, change or delete anything; read S3 objects, SSM parameters other than AWS's public ones, secrets, logs or any resource's configuration; pull or push an image (the ECR token carries the role's own permissions: none)",
        },
        {
            key: "gcp",
            identity: "service account `preview@<project>` with custom role `multicloudPreview`",
            trusted: `workload identity provider (issuer \`${GITHUB_OIDC_ISSUER}\`, condition \`${gcpPreviewProviderCondition(repository, stack)}\`), principal \`…/subject/${sub}\` as Workload Identity User`,
            may: `${gcpPreviewRolePermissions()
                .map((p) => `\`${p}\``)
                .join(
                    ", ",
                )} (with attached clusters also \`gkemulticloud.attachedClusters.generateInstallManifest\`)`,
            mayNot: "create, change or delete anything; list or read the project's resources, IAM policy, secrets, keys or images; act as another service account",
        },
        {
            key: "azure",
            identity: "Entra ID application `github-preview-<stack>`, no role assignment",
            trusted: `federated credential: issuer \`${GITHUB_OIDC_ISSUER}\`, audience \`${GITHUB_OIDC_AUDIENCE.azure}\`, subject \`${sub}\``,
            may: "sign in and take tokens for itself (ARM, the Grafana workspace's audience): nothing behind them",
            mayNot: "read or change any resource of the subscription (no role, not even Reader), Key Vault secrets, storage keys or data",
        },
    ];
}
