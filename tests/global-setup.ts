/**
 * Once per jest run, before any worker starts: a fresh folder for the plans of the committed
 * stacks (tests/harness.ts planStack), so that each is planned once per run, never reused from an
 * earlier run whose code differed. Workers inherit the variable.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export default function globalSetup(): void {
    process.env.MULTICLOUD_PLAN_CACHE = fs.mkdtempSync(path.join(os.tmpdir(), "multicloud-plans-"));
}
