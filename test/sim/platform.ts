/** The two console platforms; their accounts live in separate id ranges. */
export type Platform = "xbox" | "ps";

export const PLATFORMS: readonly Platform[] = ["xbox", "ps"];

/** Parses a platform name as used in /sim/ query strings. */
export function parsePlatform(text: string | null): Platform | undefined {
  return text === "xbox" || text === "ps" ? text : undefined;
}

/** Stable small number per platform, mixed into hashes so the platforms differ. */
export function platformSalt(platform: Platform): number {
  return platform === "xbox" ? 0x1111 : 0x2222;
}
