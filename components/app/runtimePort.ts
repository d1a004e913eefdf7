/**
 * The port the app's image serves on, and the paths of its health checks, in one place for every
 * platform that runs it: the Kubernetes pod, its probes, Service and NetworkPolicy
 * (components/app/Workload.ts) and the AWS fleet's container, target group, health check and
 * security groups (components/aws/AsgFleet.ts). No SDK imports, so that any component can take
 * them without pulling in another cloud's provider.
 */

/**
 * The port gunicorn binds in the image: app/Dockerfile's `EXPOSE 5001`, its HEALTHCHECK and
 * `CMD ["gunicorn", "--bind", "0.0.0.0:5001", ...]`, so change them together.
 */
export const APP_PORT = 5001;

/**
 * The app's liveness check (app/run.py `@app.get("/healthz")`): the process is alive. The pod's
 * startup and liveness probes, the image's HEALTHCHECK (app/Dockerfile) and the AWS load
 * balancer's health check call it.
 */
export const HEALTH_CHECK_PATH = "/healthz";
/**
 * The app's readiness check (app/run.py `@app.get("/readyz")`): it can serve, its database
 * answers. The pod's readiness probe calls it.
 */
export const READINESS_CHECK_PATH = "/readyz";
