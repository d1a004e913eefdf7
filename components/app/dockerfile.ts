/**
 * The stage names of a Dockerfile, read without dependencies (config/ runs in the program,
 * where devDependencies such as dockerfile-ast are absent), so that a build target the Dockerfile
 * lacks is a config error before anything is registered, not a failed build in `pulumi up`.
 *
 * BuildKit's rule (moby/buildkit frontend/dockerfile/dockerfile2llb/convert.go): stages are
 * looked up by `strings.ToLower(name)` and `--target` by `strings.ToLower(opt.Target)`, failing
 * with "target stage %s could not be found". So names compare case-insensitively.
 */

/** Joins continuation lines (`\` at the end, or the `# escape=` character) and drops comments. */
function logicalLines(text: string): string[] {
    const raw = text.split(/\r?\n/);
    // A parser directive `# escape=` before any instruction changes the continuation character.
    let escape = "\\";
    for (const line of raw) {
        const directive = /^#\s*escape\s*=\s*(\S)\s*$/i.exec(line);
        if (directive) {
            escape = directive[1];
            continue;
        }
        if (/^#\s*\w+\s*=/.test(line)) continue; // another directive (syntax=)
        break;
    }
    const lines: string[] = [];
    let current = "";
    for (const line of raw) {
        // Comment lines are removed, even inside a continued instruction.
        if (/^\s*#/.test(line)) continue;
        const trimmed = line.replace(/\s+$/, "");
        if (trimmed.endsWith(escape)) {
            current += trimmed.slice(0, -1) + " ";
            continue;
        }
        current += line;
        if (current.trim() !== "") lines.push(current.trim());
        current = "";
    }
    if (current.trim() !== "") lines.push(current.trim());
    return lines;
}

/** A stage: its FROM line number among instructions (0-based) and its `AS` name, if any. */
export interface DockerfileStage {
    readonly index: number;
    readonly name?: string;
}

/** Every `FROM` of the Dockerfile, in order, with its `AS` name (flags such as --platform skipped). */
export function dockerfileStages(text: string): DockerfileStage[] {
    const stages: DockerfileStage[] = [];
    for (const line of logicalLines(text)) {
        const words = line.split(/\s+/);
        if (words[0].toUpperCase() !== "FROM") continue;
        const args = words.slice(1).filter((w) => !w.startsWith("--"));
        const name = args.length >= 3 && args[1].toUpperCase() === "AS" ? args[2] : undefined;
        stages.push({ index: stages.length, name });
    }
    return stages;
}

/**
 * Why `target` cannot be built from this Dockerfile, or undefined when a stage has that name.
 * `key` names the config setting in the message.
 */
export function targetProblem(
    dockerfileText: string,
    target: string,
    key = "appImage.target",
): string | undefined {
    const stages = dockerfileStages(dockerfileText);
    const names = stages.map((s) => s.name).filter((n): n is string => n !== undefined);
    if (names.some((n) => n.toLowerCase() === target.toLowerCase())) return undefined;
    if (names.length === 0) {
        return `${key} '${target}' names no stage: the Dockerfile has no named stage (FROM ... AS <name>); name the stage to build, or change ${key}`;
    }
    return `${key} '${target}' names no stage of the Dockerfile (it has ${names.map((n) => `'${n}'`).join(", ")}): set ${key} to one of them`;
}

/** A digest-pinned image reference: `name[:tag]@sha256:<64 hex>`. */
const DIGEST_PINNED = /^[a-z0-9][a-z0-9._\/:-]*@sha256:[0-9a-f]{64}$/;

/** The names of the ARGs that FROM lines use (`FROM ${NAME}`, `FROM $NAME:tag`). */
export function fromArgNames(text: string): string[] {
    const names = new Set<string>();
    for (const line of logicalLines(text)) {
        const words = line.split(/\s+/);
        if (words[0].toUpperCase() !== "FROM") continue;
        const image = words.slice(1).find((w) => !w.startsWith("--")) ?? "";
        for (const m of image.matchAll(/\$\{(\w+)(?::[-+][^}]*)?\}|\$(\w+)/g)) {
            names.add(m[1] ?? m[2]);
        }
    }
    return [...names];
}

/**
 * Build arguments that choose a base image must be pinned by digest (or name a stage of the
 * Dockerfile, as PYTHON_IMAGE's default does): a tag can be moved to other content between two
 * builds, a digest cannot. `key` names the config setting in the messages.
 */
export function baseImageArgProblems(
    dockerfileText: string,
    buildArgs: Readonly<Record<string, unknown>>,
    key = "appImage.buildArgs",
): string[] {
    // BuildKit looks an expanded FROM up among the stage names as written (addState,
    // `statesByName[ds.stage.BaseName]`, names stored lowercase): only the lowercase name matches.
    const stages = new Set(
        dockerfileStages(dockerfileText)
            .map((s) => s.name?.toLowerCase())
            .filter((n): n is string => n !== undefined),
    );
    const problems: string[] = [];
    for (const name of fromArgNames(dockerfileText)) {
        const value = buildArgs[name];
        if (typeof value !== "string") continue; // unset: the Dockerfile's default (its own rules)
        if (stages.has(value) || DIGEST_PINNED.test(value)) continue;
        problems.push(
            `${key}.${name} '${value}' chooses a base image of the Dockerfile and is not pinned by digest: ` +
                `append @sha256:<digest of its image index> (\`docker buildx imagetools inspect ${value}\`), ` +
                `or remove it to build on the Dockerfile's pinned default`,
        );
    }
    return problems;
}
