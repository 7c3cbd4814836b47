import type { Block, ButtonElement } from '../../../src/slack/blocks/kit';
import { LIST_PAGE_SIZE, renderInstanceList, type ListViewInput } from '../../../src/slack/blocks/listView';
import { HOSTILE_NAME, HUGE_NAME, plainTexts } from '../blockKitLimits';
import { expectSafe, hostileInstance, hugeInstance, instance } from '../fixtures';

const three = [
  instance({ id: 'old', name: 'Oldest', status: 'FINISHED', start_time: '2025-01-01T00:00:00Z' }),
  instance({ id: 'new', name: 'Newest', status: 'FAILED', start_time: '2025-03-01T00:00:00Z' }),
  instance({ id: 'mid', name: 'Middle', status: 'RUNNING', start_time: '2025-02-01T00:00:00Z' }),
];

function input(over: Partial<ListViewInput> = {}): ListViewInput {
  return { instances: three, count: 3, page: 1, workspaceId: 'ws-default', ...over };
}
const buttons = (blocks: Block[]): ButtonElement[] => blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
const sections = (blocks: Block[]) => blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));

describe('renderInstanceList', () => {
  it('lists instances newest first with status, name, playbook and ID', () => {
    const m = renderInstanceList(input());
    expectSafe(m);
    const lines = sections(m.blocks);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^:x: \*FAILED\* · \*Newest\* · Isolate host\n`new` · started <!date\^/);
    expect(lines[1]).toMatch(/^:arrows_counterclockwise: \*RUNNING\* · \*Middle\*/);
    expect(lines[2]).toMatch(/^:white_check_mark: \*FINISHED\* · \*Oldest\*/);
    expect(m.text).toBe('Instances: page 1 of 1 (3 in all)');
    expect(plainTexts(m)[0]).toBe('Instances · page 1 of 1');
  });

  it('names the status filter', () => {
    const m = renderInstanceList(input({ status: 'FAILED' }));
    expect(m.text).toBe('FAILED instances: page 1 of 1 (3 in all)');
  });

  it('one page: no paging buttons', () => {
    expect(renderInstanceList(input()).blocks.some((b) => b.type === 'actions')).toBe(false);
  });

  it.each([
    [1, ['Older ›'], [2]],
    [2, ['‹ Newer', 'Older ›'], [1, 3]],
    [3, ['‹ Newer'], [2]],
  ])('page %d of 3 has %j', (page, texts, pages) => {
    const m = renderInstanceList(input({ count: 25, page, status: 'RUNNING' }));
    expectSafe(m);
    const nav = buttons(m.blocks);
    expect(nav.map((b) => b.text.text)).toEqual(texts);
    expect(nav.map((b) => b.action_id)).toEqual(texts.map(() => 'playbook_list_page'));
    expect(nav.map((b) => JSON.parse(b.value!))).toEqual(pages.map((p) => ({ status: 'RUNNING', page: p })));
  });

  it('page values carry a null status without a filter', () => {
    const [older] = buttons(renderInstanceList(input({ count: 25 })).blocks);
    expect(JSON.parse(older!.value!)).toEqual({ status: null, page: 2 });
  });

  it('shows an empty result, and a page past the end', () => {
    expect(sections(renderInstanceList(input({ instances: [], count: 0 })).blocks)).toEqual(['No instances match.']);
    const past = renderInstanceList(input({ instances: [], count: 5, page: 4 }));
    expectSafe(past);
    expect(sections(past.blocks)).toEqual(['No more instances.']);
  });

  it('the usage hint in the footer is escaped, so Slack does not read <id> as a link', () => {
    const m = renderInstanceList(input());
    expect(JSON.stringify(m)).toContain('`/playbook status &lt;id&gt;` for one');
  });

  it('escapes hostile names, statuses, playbooks and IDs', () => {
    const hostile = Array.from({ length: LIST_PAGE_SIZE }, (_, i) => hostileInstance({ id: `<!channel>${i}`, status: i % 2 ? '<@U123>' : 'FAILED' }));
    const m = renderInstanceList(input({ instances: hostile, count: 1000, page: 5, workspaceId: '<!here>' }));
    expectSafe(m);
    expect(sections(m.blocks)[0]).toContain(`*${'🔥 &lt;!channel&gt; ping &lt;@U123&gt; &amp;'}`);
    expect(HOSTILE_NAME).toContain('<!channel>');
  });

  it('a full page of 10 000-character instances stays within limits', () => {
    const huge = Array.from({ length: LIST_PAGE_SIZE }, (_, i) => hugeInstance({ id: HUGE_NAME + i, status: HUGE_NAME }));
    const m = renderInstanceList(input({ instances: huge, count: 10_000, page: 3 }));
    expectSafe(m);
    expect(buttons(m.blocks)).toHaveLength(2);
  });

  it('more instances than fit in a message stay within 50 blocks', () => {
    const many = Array.from({ length: 120 }, (_, i) => instance({ id: `i${i}` }));
    expectSafe(renderInstanceList(input({ instances: many, count: 120 })));
  });
});
