// todos.js — the count the header's bell shows, shared by the pages that read /todos.
import { reactive } from 'vue';
import { api } from './api.js';

export const todos = reactive({ count: 0, overdue: 0, at: 0 });

// Refresh the count at most every 30 seconds (each page change asks).
export async function refreshTodos(force = false) {
  if (!force && Date.now() - todos.at < 30e3) return;
  todos.at = Date.now();
  try {
    const r = await api.get('/todos', { silent: true });
    todos.count = r.total;
    todos.overdue = r.items.filter((t) => t.overdue).length;
  } catch { /* the bell keeps its last count */ }
}
