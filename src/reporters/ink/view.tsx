/**
 * The ink progress view of `scan`: one line per listed resource kind with
 * pages, objects, retries and errors while collecting; a one-line summary
 * (and the errors) once collection is over, so the report that follows is not
 * pushed off the screen.
 */
import { Box, Text } from 'ink';
import type { ProgressState, ResourceRow, Section } from './tracker.js';

const SECTION_TITLE: Record<Section, string> = { kube: 'Kubernetes', gcp: 'Google Cloud' };

export function ProgressView({ state, cloud = true }: { state: ProgressState; cloud?: boolean }) {
  const seconds = (state.elapsedMs / 1000).toFixed(1);
  if (state.finished) return <Finished state={state} seconds={seconds} />;
  const sections: Section[] = cloud ? ['kube', 'gcp'] : ['kube'];
  const nameWidth = Math.min(40, Math.max(12, ...state.rows.map((r) => r.resource.length)) + 2);
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>negdoctor scan</Text>
        <Text dimColor> collecting… {seconds} s</Text>
      </Text>
      {sections.map((section) => {
        const rows = state.rows.filter((r) => r.section === section);
        return (
          <Box key={section} flexDirection="column">
            <Text bold>{SECTION_TITLE[section]}</Text>
            {rows.length === 0 ? <Text dimColor>  waiting</Text> : rows.map((row) => <Row key={row.resource} row={row} nameWidth={nameWidth} />)}
          </Box>
        );
      })}
    </Box>
  );
}

function Row({ row, nameWidth }: { row: ResourceRow; nameWidth: number }) {
  const glyph = row.status === 'error' ? '✗' : row.status === 'done' ? '✓' : '…';
  const color = row.status === 'error' ? 'red' : row.status === 'done' ? 'green' : 'yellow';
  const counts = [
    // Single reads (the server version, the kube-system Namespace, the GKE cluster) have no pages.
    (row.pages ? `${row.pages} ${row.pages === 1 ? 'page' : 'pages'}` : '').padEnd(9),
    `${row.objects} ${row.objects === 1 ? 'object' : 'objects'}`.padEnd(13),
    row.retries ? `${row.retries} ${row.retries === 1 ? 'retry' : 'retries'}` : '',
    row.errors ? `${row.errors} ${row.errors === 1 ? 'error' : 'errors'}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        {'  '}
        <Text color={color}>{glyph}</Text> {row.resource.padEnd(nameWidth)}
        {counts}
      </Text>
      {row.message ? (
        <Text color="red" wrap="truncate-end">
          {'      '}
          {row.message}
        </Text>
      ) : null}
    </Box>
  );
}

function Finished({ state, seconds }: { state: ProgressState; seconds: string }) {
  const objects = state.rows.reduce((n, r) => n + (r.status === 'done' ? r.objects : 0), 0);
  const retries = state.rows.reduce((n, r) => n + r.retries, 0);
  const errors = state.finished?.errors ?? [];
  if (!state.ok) {
    return <Text color="red">Collection failed after {seconds} s</Text>;
  }
  const tail = [errors.length ? `${errors.length} ${errors.length === 1 ? 'error' : 'errors'}` : '', retries ? `${retries} ${retries === 1 ? 'retry' : 'retries'}` : '']
    .filter(Boolean)
    .join(', ');
  return (
    <Box flexDirection="column">
      <Text>
        <Text color={errors.length ? 'yellow' : 'green'}>{errors.length ? '!' : '✓'}</Text> Collected {objects} {objects === 1 ? 'object' : 'objects'} from{' '}
        {state.rows.length} lists in {seconds} s{tail ? ` — ${tail}` : ''}
      </Text>
      {state.finished?.cloudSkipped ? <Text dimColor>  {state.finished.cloudSkipped}</Text> : null}
      {errors.map((line, i) => (
        <Text key={i} color="yellow" wrap="truncate-end">
          {'  '}
          {line}
        </Text>
      ))}
      {errors.length ? <Text dimColor>  the rules that need this data are reported as not evaluated</Text> : null}
    </Box>
  );
}
