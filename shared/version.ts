/** Version of this build. Overridden at bundle time for agent executables. */
export const VERSION: string = process.env.TRACKER_BUILD_VERSION_OVERRIDE ?? "0.1.0";
