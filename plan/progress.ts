/**
 * A one-line counter on a terminal for runs that take a while ("registered 2 415 resources…"),
 * redrawn in place. Silent when the stream is not a terminal (CI logs, pipes, files), and
 * before `afterMs`, so quick runs print nothing extra.
 */
export interface Progress {
    /** Records the count so far (and the total, when known). */
    readonly update: (count: number, total?: number) => void;
    /** Stops the counter and clears its line. */
    readonly done: () => void;
}

export interface ProgressOptions {
    /** @default process.stderr */
    readonly stream?: Pick<NodeJS.WriteStream, "write"> & { readonly isTTY?: boolean };
    /** Quiet for this long first. @default 2000 */
    readonly afterMs?: number;
    /** Redraw interval. @default 200 */
    readonly everyMs?: number;
}

export function progressLine(verb: string, noun: string, options: ProgressOptions = {}): Progress {
    const stream = options.stream ?? process.stderr;
    if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
    const started = Date.now();
    let count = 0;
    let total: number | undefined;
    let shown = false;
    const draw = () => {
        if (Date.now() - started < (options.afterMs ?? 2000)) return;
        shown = true;
        stream.write(`\r\x1b[K${verb} ${count}${total ? `/${total}` : ""} ${noun}…`);
    };
    const timer = setInterval(draw, options.everyMs ?? 200);
    timer.unref();
    return {
        update: (n, t) => {
            count = n;
            total = t;
        },
        done: () => {
            clearInterval(timer);
            if (shown) stream.write("\r\x1b[K");
        },
    };
}
