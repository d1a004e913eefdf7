/**
 * The user the app's image runs as, in one place for every platform that runs it: the Kubernetes
 * pod (components/app/Workload.ts: runAsUser, runAsGroup, fsGroup) and the AWS fleet's boot
 * script (components/aws/AsgFleet.ts: the owner of the instance's TLS key). No SDK imports, so
 * that any component can take it without pulling in another cloud's provider.
 */

/**
 * UID and GID of the image's runtime user: app/Dockerfile's `addgroup -S -g 10001 app`,
 * `adduser -S -D -H -u 10001 -G app app` and `USER 10001:10001` (tests/app.test.ts checks that
 * all three use this number, so change them together).
 *
 * Above 10000, where no host account lives (distributions give regular users 1000 and up,
 * system users less than 1000), so that what it owns on a host, such as the fleet's TLS key, is
 * owned by no one on the host but root; checkov's CKV_K8S_40 asks the same of pods.
 */
export const APP_UID = 10001;
