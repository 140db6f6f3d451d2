/**
 * The routes whose calls are model calls of a component — what the detectors check and patterns are
 * made of. Other recorded calls (`models`: listing an upstream's models) are kept as records only: an
 * upstream's 404 on its model list is no failure of any component.
 */
export const DETECTED_ROUTES: readonly string[] = ['chat.completions', 'responses', 'messages', 'embeddings'];

const detected = new Set(DETECTED_ROUTES);

export function isDetectedRoute(route: string): boolean {
  return detected.has(route);
}
