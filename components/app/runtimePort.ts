/**
 * The port the app's image serves on, in one place for every platform that runs it: the
 * Kubernetes pod, its Service and NetworkPolicy (components/app/Workload.ts) and the AWS fleet's
 * container, target group and security groups (components/aws/AsgFleet.ts). No SDK imports, so
 * that any component can take it without pulling in another cloud's provider.
 */

/**
 * The port gunicorn binds in the image: app/Dockerfile's `EXPOSE 5001`, its HEALTHCHECK and
 * `CMD ["gunicorn", "--bind", "0.0.0.0:5001", ...]`, so change them together.
 */
export const APP_PORT = 5001;
