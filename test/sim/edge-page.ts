/**
 * The HTML page WG's edge sends with a 5xx (project fixture `edge-504.html`), kept in code so
 * the compiled CLI needs no data files. The title follows the HTTP status.
 */
export function edgeErrorPage(status: number): string {
  const title = `${status} ${EDGE_STATUS_TEXT[status] ?? "Error"}`;
  return (
    `<html>\n<head><title>${title}</title></head>\n<body>\n` +
    `<center><h1>${title}</h1></center>\n</body>\n</html>\n`
  );
}

const EDGE_STATUS_TEXT: Record<number, string> = {
  502: "Bad Gateway",
  503: "Service Temporarily Unavailable",
  504: "Gateway Time-out",
};
