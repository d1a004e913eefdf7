/**
 * `npm run policy-config -- --stack <name> [--out FILE]`: the stack's policy config
 * (policy/config/<stack>.json, which may use the group names rbac, tls, encryption and stack)
 * expanded to the per-policy keys that `pulumi preview --policy-pack-config` and Pulumi Cloud
 * policy groups take. A stack without a config file gets `{}` (the pack's own defaults).
 *
 * Exit codes: 0 written; 1 the config names an unknown policy or level; 2 bad usage or no
 * stack file.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { PolicyConfigError, readPolicyConfig, stackPolicyConfigPath } from "../policy/config";

const USAGE = `usage: npm run policy-config -- --stack <name> [--out <file>] [--in <file>] [--cwd <dir>]

  -s, --stack <name>  the stack: Pulumi.<name>.yaml must exist
      --in <file>     the config to expand (default: <cwd>/policy/config/<name>.json if present)
      --out <file>    where to write the per-policy JSON (default: standard output)
      --cwd <dir>     the folder holding Pulumi.yaml (default: the current folder)`;

function main(argv: string[]): number {
    let values;
    try {
        values = parseArgs({
            args: argv,
            options: {
                stack: { type: "string", short: "s" },
                in: { type: "string" },
                out: { type: "string" },
                cwd: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
            strict: true,
            allowPositionals: false,
        }).values;
    } catch (e) {
        process.stderr.write(`policy-config: ${(e as Error).message}\n\n${USAGE}\n`);
        return 2;
    }
    if (values.help) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    if (!values.stack) {
        process.stderr.write(`policy-config: --stack is required\n\n${USAGE}\n`);
        return 2;
    }
    const projectDir = path.resolve(values.cwd ?? process.cwd());
    const stackFile = path.join(projectDir, `Pulumi.${values.stack}.yaml`);
    if (!fs.existsSync(stackFile)) {
        process.stderr.write(
            `policy-config: no stack file ${stackFile}: --stack must name a stack of the project\n`,
        );
        return 2;
    }
    const input = values.in ?? stackPolicyConfigPath(projectDir, values.stack);
    let expanded;
    try {
        expanded = values.in !== undefined || fs.existsSync(input) ? readPolicyConfig(input) : {};
    } catch (e) {
        if (e instanceof PolicyConfigError) {
            process.stderr.write(`policy-config: ${e.message}\n`);
            return 1;
        }
        throw e;
    }
    const text = `${JSON.stringify(expanded, null, 2)}\n`;
    if (values.out) {
        fs.writeFileSync(values.out, text);
        process.stderr.write(
            `policy-config: wrote ${values.out} (${Object.keys(expanded).length} policies configured)\n`,
        );
    } else {
        process.stdout.write(text);
    }
    return 0;
}

process.exitCode = main(process.argv.slice(2));
