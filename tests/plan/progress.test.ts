import { progressLine } from "../../plan/progress";

/** A stream that records what is written to it. */
const stream = (isTTY: boolean) => {
    const written: string[] = [];
    return { isTTY, written, write: (s: string) => written.push(s) > 0 };
};
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("progressLine", () => {
    it("redraws the count in place on a terminal, then clears its line", async () => {
        const tty = stream(true);
        const progress = progressLine("registered", "resources", {
            stream: tty,
            afterMs: 0,
            everyMs: 5,
        });
        progress.update(1200);
        await tick(30);
        progress.update(40, 97);
        await tick(30);
        progress.done();
        expect(tty.written).toContain("\r\x1b[Kregistered 1200 resources…");
        expect(tty.written).toContain("\r\x1b[Kregistered 40/97 resources…");
        expect(tty.written[tty.written.length - 1]).toBe("\r\x1b[K");
        const count = tty.written.length;
        await tick(30);
        expect(tty.written).toHaveLength(count); // stopped
    });

    it("stays quiet when output is not a terminal, and for quick runs", async () => {
        const pipe = stream(false);
        const quiet = progressLine("registered", "resources", {
            stream: pipe,
            afterMs: 0,
            everyMs: 5,
        });
        quiet.update(10);
        await tick(30);
        quiet.done();
        expect(pipe.written).toEqual([]);

        const tty = stream(true);
        const quick = progressLine("checked", "resources", { stream: tty, everyMs: 5 });
        quick.update(10);
        await tick(30);
        quick.done(); // before the default 2 s: nothing drawn, nothing to clear
        expect(tty.written).toEqual([]);
    });
});
