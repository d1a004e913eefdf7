/** Removes the run's plan cache (tests/global-setup.ts). */
import * as fs from "fs";

export default function globalTeardown(): void {
    const dir = process.env.MULTICLOUD_PLAN_CACHE;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
}
