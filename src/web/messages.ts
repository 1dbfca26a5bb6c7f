/**
 * Every sentence a person reads on the web pages, in French (default) and English. Templates
 * escape whatever they print; nothing here is HTML.
 */
import type { CalendarClient } from './clients.ts';

export type WebLocale = 'fr' | 'en';

/** `Accept-Language` → ours: English when English comes first among fr/en, French otherwise. */
export function pickLocale(acceptLanguage: string | undefined): WebLocale {
  if (acceptLanguage === undefined) return 'fr';
  const ranked = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.q > 0 && (entry.tag.startsWith('en') || entry.tag.startsWith('fr')))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked[0]?.tag.startsWith('en') === true ? 'en' : 'fr';
}

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);

const fr = {
  lang: 'fr',
  siteName: 'Planning Proxy',
  skipToContent: 'Aller au contenu',
  footer: 'Planning Proxy : emplois du temps scolaires en agendas personnels.',

  // Home page
  homeTitle: 'Ton emploi du temps dans ton agenda',
  homeIntro:
    "Ce service recopie l'emploi du temps de ton école et le publie comme un agenda auquel ton téléphone ou ton ordinateur s'abonne. Quand un cours est déplacé ou annulé, ton agenda se met à jour tout seul, et une alerte est postée sur Discord.",
  homeGetLinkTitle: 'Obtenir ton lien',
  homeGetLink:
    'Sur le serveur Discord de ta promo, tape la commande /subscribe et choisis ta section. Le bot te répond en privé avec ton lien personnel : ouvre-le dans ton navigateur, il te montre un bouton pour chaque application d’agenda.',
  homeFilters:
    'Avec /filters, tu peux choisir tes groupes et masquer des cours ; ton lien reste le même.',
  homeAppsTitle: 'Avec ton application d’agenda',
  homeAppGoogle:
    'Google Agenda : bouton « Google Agenda » de ta page de lien (ou Paramètres → Ajouter un agenda → À partir de l’URL). Google ne relit l’agenda que toutes les 8 à 24 heures.',
  homeAppOutlook:
    'Outlook.com et Microsoft 365 : bouton « Outlook.com » ou « Microsoft 365 » de ta page de lien. Outlook relit l’agenda toutes les quelques heures.',
  homeAppApple:
    'Apple Calendrier (iPhone, Mac) : bouton « Apple Calendrier » ; tu choisis toi-même la fréquence de mise à jour.',
  homeAppThunderbird:
    'Thunderbird : bouton « Thunderbird », ou Nouvel agenda → Sur le réseau, puis colle le lien.',
  homeFast:
    'Pour les changements de dernière minute, les alertes Discord sont la voie rapide : active-les en message privé avec /notify on.',
  homeContactTitle: 'Une question ?',
  homeContact:
    'Demande aux administrateurs du serveur Discord de ta promo : ce sont eux qui gèrent ce service et les liens.',
  homePrivacy:
    'Ton lien est personnel : il donne accès à ton emploi du temps. Ne le partage pas ; s’il a fuité, /subscribe t’en donne un nouveau et désactive l’ancien.',

  // Feed page
  feedTitle: (section: string) => `Ton agenda ${section}`,
  feedKeepSecret:
    'Cette page et ce lien sont personnels : ils donnent accès à ton emploi du temps. Ne les partage pas.',
  feedFilterLabel: 'Ce que ce lien montre',
  feedWholeSection: 'Toute la section, sans filtre.',
  feedUpdated: (at: string) => `Emploi du temps mis à jour le ${at}.`,
  feedNeverUpdated: "L'emploi du temps n'a encore jamais été récupéré.",
  feedFailingSince: (at: string) =>
    `Le site de l'école ne répond plus correctement depuis le ${at} : l'agenda montre la dernière version connue.`,
  feedAddTitle: 'Ajouter à ton agenda',
  feedButton: {
    google: 'Google Agenda',
    outlook: 'Outlook.com',
    microsoft365: 'Microsoft 365',
    apple: 'Apple Calendrier',
    thunderbird: 'Thunderbird',
  },
  feedGoogleFallback:
    'Si Google affiche une erreur : dans Google Agenda, Paramètres → Ajouter un agenda → À partir de l’URL, puis colle le lien ci-dessous.',
  feedLinkLabel: 'Lien de l’agenda (https)',
  feedCopy: 'Copier le lien',
  feedCopied: 'Lien copié',
  feedQrTitle: 'Sur ton téléphone',
  feedQrText: 'Scanne ce code avec l’appareil photo de ton téléphone pour ouvrir cette page.',
  feedQrLabel: 'QR code du lien de cette page',
  feedRefreshTitle: 'À quelle vitesse ton agenda se met à jour',
  feedRefresh: {
    google: 'Google Agenda relit l’agenda toutes les 8 à 24 heures, et on ne peut pas le forcer.',
    outlook: 'Outlook.com et Microsoft 365 le relisent toutes les quelques heures (parfois plus).',
    apple:
      'Apple Calendrier le relit à la fréquence que tu choisis (toutes les heures par défaut sur Mac).',
    thunderbird: 'Thunderbird le relit toutes les 30 minutes par défaut.',
  },
  feedDiscordFast:
    'Pour les changements de dernière minute, les alertes Discord sont la voie rapide : /notify on en message privé au bot.',
  feedPreviewTitle: 'Aperçu',
  feedThisWeek: 'Cette semaine',
  feedNextWeek: 'Semaine prochaine',
  feedNoClasses: 'Aucun cours.',
  feedAllDay: 'Journée',
  feedCancelled: 'annulé',
  feedTimesIn: (zone: string) => `Heures de ${zone}.`,

  // Errors
  notFoundTitle: 'Page introuvable',
  notFoundText:
    "Ce lien n'existe pas ou a été désactivé. Si c'était ton lien d'agenda, demande-en un nouveau avec /subscribe sur Discord.",
  notFoundHome: "Retour à l'accueil",
  tooManyTitle: 'Trop de tentatives',
  tooManyText: 'Trop de tentatives depuis ton adresse. Réessaie dans une minute.',

  // Admin login
  loginTitle: 'Administration',
  loginTokenLabel: "Jeton d'administration (ADMIN_STATIC_TOKEN)",
  loginSubmit: 'Se connecter',
  loginFailed: "Jeton incorrect. Après plusieurs essais, l'accès est bloqué une minute.",
  loginLinkIntro: 'Lien de connexion à usage unique.',
  loginLinkSubmit: 'Me connecter',
  loginLinkInvalid:
    'Ce lien de connexion a déjà servi ou a expiré. Demandes-en un autre (npm run cli -- admin link, ou /status sur Discord).',
  logout: 'Se déconnecter',

  // Dashboard
  dashTitle: 'Tableau de bord',
  dashSummary: (version: string, backlog: number) =>
    `Version ${version}. ${backlog} ${plural(backlog, 'alerte en attente', 'alertes en attente')} de livraison sur Discord.`,
  dashSections: 'Sections',
  dashFresh: 'À jour',
  dashStale: 'En retard',
  dashLastSuccess: 'Dernier succès',
  dashLastError: 'Dernière erreur',
  dashFailures: 'Échecs consécutifs',
  dashNextRun: 'Prochain passage',
  dashEvents: 'Cours',
  dashLinks: 'Liens actifs',
  dashLastChange: 'Dernier changement',
  dashNever: 'jamais',
  dashNone: 'aucune',
  dashRunsChart: (section: string) => `${section} : passages des 7 derniers jours`,
  dashRunsChartDesc: (runs: number, failed: number) =>
    `${runs} ${plural(runs, 'passage', 'passages')}, dont ${failed} en échec. Hauteur : durée ; couleur : résultat.`,
  dashRunsAxis: 'durée (s)',
  dashFetchesChart: (section: string) => `${section} : téléchargements par jour et par application`,
  dashFetchesChartDesc: (total: number) =>
    `${total} ${plural(total, 'téléchargement', 'téléchargements')} sur 7 jours.`,
  dashOutcome: { ok: 'réussi', failed: 'échec', other: 'retenu ou ignoré' },
  dashClients: {
    google: 'Google',
    apple: 'Apple',
    outlook: 'Outlook',
    thunderbird: 'Thunderbird',
    other: 'Autre',
  } satisfies Record<CalendarClient, string>,
  dashTokens: 'Liens',
  dashTokenPrefix: 'Préfixe',
  dashTokenOwner: 'Propriétaire',
  dashTokenSection: 'Section',
  dashTokenFilter: 'Filtre',
  dashTokenLastUsed: 'Dernière utilisation',
  dashTokenUses: 'Utilisations',
  dashAllSections: 'toutes',
  dashNoFilter: 'aucun',
  dashRevoke: 'Révoquer',
  dashNoTokens: 'Aucun lien actif.',
  dashRevoked: (prefix: string) => `Lien ${prefix}… révoqué.`,
  dashRevokeStale: 'Ce formulaire a expiré ; recharge la page et recommence.',
  errorWords: {
    'scraper.http_status': "le site de l'école a répondu par une erreur",
    'scraper.timeout': "le site de l'école n'a pas répondu à temps",
    'scraper.network': "le site de l'école est injoignable",
    'scraper.too_large': 'la réponse était anormalement grosse',
    'scraper.not_calendar': "le site a renvoyé autre chose qu'un agenda (page de connexion ?)",
    'scraper.parse_failed': "l'agenda reçu était illisible",
    'scraper.login_failed': 'la connexion au site a échoué',
    'scraper.auth_rejected': 'identifiants refusés par le site',
    'scraper.session_expired': 'la session sur le site a expiré',
    'scraper.navigation_failed': "la page de l'emploi du temps n'a pas été trouvée",
    'scraper.view_expired': 'la page du site a expiré pendant la lecture',
    'scraper.schedule_missing': "l'emploi du temps manquait dans la réponse",
    'scraper.maintenance': 'le site est en maintenance',
    'scraper.not_configured': 'source mal configurée',
    'scraper.file_unreadable': 'fichier source illisible',
    'scraper.aborted': "le processus s'est arrêté pendant le passage",
    'scraper.unexpected': 'erreur inattendue',
    'scraper.suspicious_drop': 'baisse soudaine du nombre de cours, mise en attente',
  } as Record<string, string>,
};

export type WebMessages = typeof fr;

const en: WebMessages = {
  lang: 'en',
  siteName: 'Planning Proxy',
  skipToContent: 'Skip to content',
  footer: 'Planning Proxy: school timetables as personal calendars.',

  homeTitle: 'Your timetable in your calendar',
  homeIntro:
    "This service copies your school's timetable and publishes it as a calendar your phone or computer subscribes to. When a class moves or is cancelled, your calendar updates by itself, and an alert is posted on Discord.",
  homeGetLinkTitle: 'Getting your link',
  homeGetLink:
    'On your class Discord server, type the /subscribe command and pick your section. The bot answers privately with your personal link: open it in your browser, it shows a button for each calendar app.',
  homeFilters:
    'With /filters you can choose your groups and hide classes; your link stays the same.',
  homeAppsTitle: 'With your calendar app',
  homeAppGoogle:
    'Google Calendar: the "Google Calendar" button on your link page (or Settings → Add calendar → From URL). Google re-reads the calendar only every 8 to 24 hours.',
  homeAppOutlook:
    'Outlook.com and Microsoft 365: the "Outlook.com" or "Microsoft 365" button on your link page. Outlook re-reads the calendar every few hours.',
  homeAppApple:
    'Apple Calendar (iPhone, Mac): the "Apple Calendar" button; you choose how often it refreshes.',
  homeAppThunderbird:
    'Thunderbird: the "Thunderbird" button, or New Calendar → On the Network, then paste the link.',
  homeFast:
    'For last-minute changes, Discord alerts are the fast channel: turn them on in a private message with /notify on.',
  homeContactTitle: 'Questions?',
  homeContact:
    'Ask the admins of your class Discord server: they run this service and manage the links.',
  homePrivacy:
    'Your link is personal: it opens your timetable. Do not share it; if it leaked, /subscribe gives you a new one and turns the old one off.',

  feedTitle: (section: string) => `Your ${section} calendar`,
  feedKeepSecret:
    'This page and this link are personal: they open your timetable. Do not share them.',
  feedFilterLabel: 'What this link shows',
  feedWholeSection: 'The whole section, unfiltered.',
  feedUpdated: (at: string) => `Timetable updated on ${at}.`,
  feedNeverUpdated: 'The timetable has not been fetched yet.',
  feedFailingSince: (at: string) =>
    `The school site has been failing since ${at}: the calendar shows the last known version.`,
  feedAddTitle: 'Add to your calendar',
  feedButton: {
    google: 'Google Calendar',
    outlook: 'Outlook.com',
    microsoft365: 'Microsoft 365',
    apple: 'Apple Calendar',
    thunderbird: 'Thunderbird',
  },
  feedGoogleFallback:
    'If Google shows an error: in Google Calendar, Settings → Add calendar → From URL, then paste the link below.',
  feedLinkLabel: 'Calendar link (https)',
  feedCopy: 'Copy link',
  feedCopied: 'Link copied',
  feedQrTitle: 'On your phone',
  feedQrText: "Scan this code with your phone's camera to open this page.",
  feedQrLabel: "QR code of this page's link",
  feedRefreshTitle: 'How fast your calendar updates',
  feedRefresh: {
    google: 'Google Calendar re-reads the calendar every 8 to 24 hours, and it cannot be forced.',
    outlook: 'Outlook.com and Microsoft 365 re-read it every few hours (sometimes longer).',
    apple: 'Apple Calendar re-reads it as often as you choose (hourly by default on a Mac).',
    thunderbird: 'Thunderbird re-reads it every 30 minutes by default.',
  },
  feedDiscordFast:
    'For last-minute changes, Discord alerts are the fast channel: /notify on in a private message to the bot.',
  feedPreviewTitle: 'Preview',
  feedThisWeek: 'This week',
  feedNextWeek: 'Next week',
  feedNoClasses: 'No classes.',
  feedAllDay: 'All day',
  feedCancelled: 'cancelled',
  feedTimesIn: (zone: string) => `Times in ${zone}.`,

  notFoundTitle: 'Page not found',
  notFoundText:
    'This link does not exist or was turned off. If it was your calendar link, ask for a new one with /subscribe on Discord.',
  notFoundHome: 'Back to the home page',
  tooManyTitle: 'Too many attempts',
  tooManyText: 'Too many attempts from your address. Try again in a minute.',

  loginTitle: 'Administration',
  loginTokenLabel: 'Admin token (ADMIN_STATIC_TOKEN)',
  loginSubmit: 'Log in',
  loginFailed: 'Wrong token. After several attempts, access is blocked for a minute.',
  loginLinkIntro: 'One-time login link.',
  loginLinkSubmit: 'Log me in',
  loginLinkInvalid:
    'This login link was already used or has expired. Ask for another one (npm run cli -- admin link, or /status on Discord).',
  logout: 'Log out',

  dashTitle: 'Dashboard',
  dashSummary: (version: string, backlog: number) =>
    `Version ${version}. ${backlog} ${plural(backlog, 'alert', 'alerts')} waiting for delivery on Discord.`,
  dashSections: 'Sections',
  dashFresh: 'Fresh',
  dashStale: 'Stale',
  dashLastSuccess: 'Last success',
  dashLastError: 'Last error',
  dashFailures: 'Consecutive failures',
  dashNextRun: 'Next run',
  dashEvents: 'Classes',
  dashLinks: 'Active links',
  dashLastChange: 'Last change',
  dashNever: 'never',
  dashNone: 'none',
  dashRunsChart: (section: string) => `${section}: scrape runs of the last 7 days`,
  dashRunsChartDesc: (runs: number, failed: number) =>
    `${runs} ${plural(runs, 'run', 'runs')}, ${failed} failed. Height: duration; colour: outcome.`,
  dashRunsAxis: 'duration (s)',
  dashFetchesChart: (section: string) => `${section}: feed fetches per day by calendar app`,
  dashFetchesChartDesc: (total: number) =>
    `${total} ${plural(total, 'fetch', 'fetches')} over 7 days.`,
  dashOutcome: { ok: 'succeeded', failed: 'failed', other: 'held or skipped' },
  dashClients: {
    google: 'Google',
    apple: 'Apple',
    outlook: 'Outlook',
    thunderbird: 'Thunderbird',
    other: 'Other',
  },
  dashTokens: 'Links',
  dashTokenPrefix: 'Prefix',
  dashTokenOwner: 'Owner',
  dashTokenSection: 'Section',
  dashTokenFilter: 'Filter',
  dashTokenLastUsed: 'Last used',
  dashTokenUses: 'Uses',
  dashAllSections: 'all',
  dashNoFilter: 'none',
  dashRevoke: 'Revoke',
  dashNoTokens: 'No active link.',
  dashRevoked: (prefix: string) => `Link ${prefix}… revoked.`,
  dashRevokeStale: 'This form has expired; reload the page and try again.',
  errorWords: {
    'scraper.http_status': 'the school site answered with an error',
    'scraper.timeout': 'the school site did not answer in time',
    'scraper.network': 'the school site is unreachable',
    'scraper.too_large': 'the answer was abnormally large',
    'scraper.not_calendar': 'the site sent something other than a calendar (a login page?)',
    'scraper.parse_failed': 'the calendar received was unreadable',
    'scraper.login_failed': 'logging in to the site failed',
    'scraper.auth_rejected': 'credentials rejected by the site',
    'scraper.session_expired': 'the session on the site expired',
    'scraper.navigation_failed': 'the timetable page was not found',
    'scraper.view_expired': 'the site page expired while being read',
    'scraper.schedule_missing': 'the timetable was missing from the answer',
    'scraper.maintenance': 'the site is under maintenance',
    'scraper.not_configured': 'source misconfigured',
    'scraper.file_unreadable': 'source file unreadable',
    'scraper.aborted': 'the process stopped during the run',
    'scraper.unexpected': 'unexpected error',
    'scraper.suspicious_drop': 'sudden drop in the number of classes, held back',
  },
};

export const webMessages: Record<WebLocale, WebMessages> = { fr, en };
