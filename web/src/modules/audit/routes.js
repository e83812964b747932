// The audit module's pages.
export default [
  { path: '/audit', component: () => import('./Audit.vue'), meta: { admin: true } },
];
