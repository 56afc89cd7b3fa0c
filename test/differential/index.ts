// The differential tester's pure-JavaScript half, in one import for the kernel half:
// generate → print → (compile and run in the kernel) → compare with evaluate → shrink.

export type { Expr, FieldInit, FieldRef, FieldType, Func, ObjectLit, Param, Program, Stmt, StructDecl, StructField } from "./ast.js";
export { argSets, edgeValues, pickArgs, randomValue } from "./args.js";
export { checkProgram, retype, type CheckOptions } from "./check.js";
export { DEFAULT_OPTIONS, generateProgram, type GenOptions } from "./generate.js";
export { HEADER, printCall, printConstant, printExpr, printFunction, printProgram, printTypes } from "./print.js";
export { Rng } from "./random.js";
export { evaluate } from "./reference.js";
export { renameProgram } from "./rename.js";
export { describeMismatch, formatValue, type Mismatch } from "./report.js";
export { minimizeProgram, programSize, shrinkCandidates } from "./shrink.js";
export { typecheckSources } from "./typecheck.js";
export { INT_TYPES, range, wrap, type IntType, type Type } from "./reference-types.js";
