// The console's pages, each loaded when first visited (one chunk per page). A capability's pages live
// in its folder; this list only places them.
import type { RouteObject } from 'react-router';
import { LoginPage } from './auth/LoginPage';
import { RequireSession } from './shell/RequireSession';
import { NotFoundPage, Shell } from './shell/Shell';

export const routes: RouteObject[] = [
  { path: '/login', element: <LoginPage /> },
  {
    element: (
      <RequireSession>
        <Shell />
      </RequireSession>
    ),
    children: [
      { index: true, lazy: () => import('./home/HomePage').then((m) => ({ Component: m.HomePage })) },
      { path: 'tickets', lazy: () => import('./tickets/TicketsPage').then((m) => ({ Component: m.TicketsPage })) },
      { path: 'tickets/:id', lazy: () => import('./tickets/TicketDetailPage').then((m) => ({ Component: m.TicketDetailPage })) },
      { path: 'supervision', lazy: () => import('./supervision/SupervisionPage').then((m) => ({ Component: m.SupervisionPage })) },
      { path: 'inspections', lazy: () => import('./inspections/InspectionsPage').then((m) => ({ Component: m.InspectionsPage })) },
      { path: 'inspections/new', lazy: () => import('./inspections/RecordInspectionPage').then((m) => ({ Component: m.RecordInspectionPage })) },
      { path: 'password', lazy: () => import('./auth/ChangePasswordPage').then((m) => ({ Component: m.ChangePasswordPage })) },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
