// Stable error codes of the probe language. A code never changes meaning; docs/language.md
// lists them with an example each.
export const Codes = {
  unsupportedSyntax: "TSB1001",
  unsupportedType: "TSB1002",
  unknownCall: "TSB1003",
  programTargetNotLiteral: "TSB1101",
  badTracepointName: "TSB1102",
  programNotTopLevel: "TSB1103",
  programHandlerNotInline: "TSB1104",
  printkFormatNotLiteral: "TSB1201",
  printkArgumentCount: "TSB1202",
  printkBadConversion: "TSB1203",
  printkArgumentType: "TSB1204",
} as const;
