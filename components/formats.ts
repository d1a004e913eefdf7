/** Formats of values every cloud's components accept, written once. */

/** An IPv4 CIDR block such as 10.0.0.0/16. */
export const CIDR =
    /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(3[0-2]|[12]?\d)$/;

/** A git URL that Config Sync and Flux can clone: https, or ssh (`ssh://...` or `git@host:org/repo`). */
export const GIT_URL = /^(https:\/\/\S+|ssh:\/\/\S+|[\w.-]+@[\w.-]+:\S+)$/;

/** An email address (loosely: something@domain.tld). */
export const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** A container image pinned by digest: `registry[:port]/repository@sha256:<64 hex>`. */
export const IMAGE_BY_DIGEST = /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$/;

/** Kubernetes quantities and names, as the app's objects and their config use them. */
export const KUBE_CPU = /^(\d+m|\d+(\.\d+)?)$/;
export const KUBE_MEMORY = /^\d+(Ki|Mi|Gi|Ti|K|M|G|T)?$/;
/** An https URL, such as a cluster's service account (OIDC) issuer. */
export const HTTPS_URL = /^https:\/\/\S+$/;
/** What an attached cluster's (or edge site's) OIDC issuer must be: an HTTPS_URL. */
export const OIDC_ISSUER_URL_RULE = "must be the cluster's https OIDC issuer URL";
/** A GKE attached clusters platform version, e.g. 1.31.0-gke.1. */
export const ATTACHED_PLATFORM_VERSION = /^\d+\.\d+\.\d+-gke\.\d+$/;
export const ATTACHED_PLATFORM_VERSION_RULE =
    "must be an attached clusters version such as 1.31.0-gke.1";

/** A DNS-1123 label: lowercase letters, digits and -, up to 63. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * A credential rotation label (`dashboard.credentialRotation`): any short label; changing it
 * replaces the keys that carry it.
 */
export const ROTATION_LABEL = /^[A-Za-z0-9._-]{1,63}$/;
/** The label the keys carry until a stack first rotates them. */
export const DEFAULT_CREDENTIAL_ROTATION = "1";
export const ROTATION_LABEL_RULE = "must be a short label such as 2026-11";

/** A GUID: Azure subscription, tenant and Entra ID object ids. */
export const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
