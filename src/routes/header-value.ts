/** A request header by name, case-insensitively (API Gateway passes headers as the client sent them). */
const headerValue = (headers: Record<string, string | undefined> | undefined, name: string): string | undefined => {
  const wanted = name.toLowerCase();
  return Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === wanted)?.[1];
};

export { headerValue };
