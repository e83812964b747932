// The org module's pages.
export default [
  { path: '/orgs/:id?', component: () => import('./Orgs.vue'), meta: { manage: true } },
];
