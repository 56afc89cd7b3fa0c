// Ends the run with one plain line, `tests: N passed, N failed, N skipped`, which CI reads
// (jest's own summary has a form CI does not recognise).
export default class SummaryReporter {
  onRunComplete(_contexts: unknown, r: { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number; numRuntimeErrorTestSuites: number }): void {
    const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
    // Printed at exit, so that it follows jest's own summary.
    const line = `\ntests: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests + r.numTodoTests} skipped\n`;
    process.once("exit", () => process.stderr.write(line));
  }
}
module.exports = SummaryReporter;
