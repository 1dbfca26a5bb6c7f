/**
 * Every sentence a Discord user can see, in French (default) and English. Discord renders
 * `<t:…>` timestamps in each reader's own locale and time zone.
 */

export type Locale = 'fr' | 'en';

/** Discord locales → ours: English variants get English, everything else French. */
export function toLocale(discordLocale: string | null | undefined): Locale {
  return discordLocale?.startsWith('en') === true ? 'en' : 'fr';
}

const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);
const list = (items: readonly string[]): string => items.map((item) => `- ${item}`).join('\n');

const fr = {
  unexpectedError: (reference: string) =>
    `Une erreur inattendue s'est produite. Réessaie plus tard ; si ça continue, donne cette référence à un administrateur : \`${reference}\`.`,
  adminOnly:
    "Cette commande est réservée aux administrateurs (permission « Gérer le serveur » ou rôle d'administration).",
  guildOnly: "Cette commande ne s'utilise que sur le serveur, pas en message privé.",
  unknownSection: (name: string, known: readonly string[]) =>
    `Je ne connais pas la section « ${name} ». Sections disponibles : ${known.join(', ')}.`,
  unknownButton: "Ce bouton n'est plus valable. Relance la commande.",

  // /subscribe
  linkIntro: (section: string) =>
    `Voici ton lien d'agenda personnel pour **${section}**. Garde-le pour toi : il donne accès à ton emploi du temps.`,
  linkHttps: 'Lien (Google Agenda, Outlook.com) :',
  linkWebcal: 'Lien webcal (Apple Calendrier, Outlook pour PC, Thunderbird) :',
  refreshNote:
    'À savoir : Google Agenda ne rafraîchit les agendas abonnés que toutes les 8 à 24 heures, Outlook.com toutes les quelques heures. Pour les changements de dernière minute, les alertes Discord sont la voie rapide (active-les en MP avec `/notify on`).',
  dmCopySent: 'Une copie de ce message t’a été envoyée en message privé.',
  dmCopyClosed:
    "Je n'ai pas pu t'envoyer de copie en message privé : tes MP sont fermés pour ce serveur. Rien n'est perdu : copie le lien ci-dessus maintenant (ce message disparaîtra).",
  dmCopyFailed:
    "La copie en message privé n'a pas pu être envoyée. Rien n'est perdu : copie le lien ci-dessus maintenant.",
  dmCopyHeader: (section: string) => `Copie de ton lien d'agenda pour **${section}** :`,
  googleButton: 'Ajouter à Google Agenda',
  outlookButton: 'Ajouter à Outlook.com',
  alreadySubscribed: (section: string, prefixes: readonly string[]) =>
    `Tu as déjà un lien actif pour **${section}** (${prefixes.map((prefix) => `\`${prefix}…\``).join(', ')}). Si tu l'as perdu ou s'il a fuité, le bouton ci-dessous en crée un nouveau et désactive l'ancien.`,
  rotateButton: 'Nouveau lien (désactive l’ancien)',
  rotatedNote: (count: number) =>
    count === 0
      ? ''
      : `L'ancien lien a été désactivé (${count} ${plural(count, 'lien', 'liens')}).`,

  // /unsubscribe
  unsubscribed: (section: string, count: number) =>
    `${count} ${plural(count, 'lien désactivé', 'liens désactivés')} pour **${section}**. Ton agenda abonné ne se mettra plus à jour ; tu peux le supprimer de ton application.`,
  notSubscribed: (section: string) => `Tu n'as aucun lien actif pour **${section}**.`,

  // /planning
  planningNeedsSection: (sections: readonly string[]) =>
    sections.length === 0
      ? "Précise la section (option `section`) : tu n'es abonné à aucune."
      : `Précise la section (option \`section\`) : tu es abonné à ${sections.join(', ')}.`,
  planningBadDay: (input: string) =>
    `Je ne comprends pas le jour « ${input} ». Exemples : aujourd'hui, demain, lundi, 2026-09-14, 14/09.`,
  planningTitle: (section: string, day: string) => `${section} — ${day}`,
  planningEmpty: 'Aucun cours ce jour-là.',
  planningCancelled: 'annulé',
  planningFreshness: 'Fraîcheur',
  planningUpdated: (at: string) => `Données mises à jour ${at}.`,
  planningNeverUpdated: "Ces données n'ont encore jamais été récupérées.",
  planningLastError: (at: string) =>
    `Dernière tentative échouée ${at} : l'emploi du temps affiché peut être en retard.`,
  planningMore: (count: number) => `… et ${count} ${plural(count, 'autre cours', 'autres cours')}.`,
  dayWords: { today: ["aujourd'hui", 'aujourdhui', 'auj'], tomorrow: ['demain'] },
  weekdays: ['dimanche', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi'],

  // /revoke
  revokeNeedsTarget:
    'Indique un utilisateur (option `user`) ou un préfixe de lien (option `prefix`).',
  revokeBadPrefix: (length: number) =>
    `Un préfixe de lien fait ${length} caractères hexadécimaux (0-9, a-f).`,
  revokeNothing: 'Aucun lien actif ne correspond.',
  revokeDone: (lines: readonly string[]) =>
    `${lines.length} ${plural(lines.length, 'lien révoqué', 'liens révoqués')} :\n${list(lines)}`,
  revokeLine: (prefix: string, section: string, owner: string) =>
    `\`${prefix}…\` — ${section} — ${owner}`,
  revokeUserNotified: (user: string) => `${user} a été prévenu(e) en message privé.`,
  revokeUserNotNotified: (user: string) =>
    `${user} n'a pas pu être prévenu(e) (messages privés fermés).`,
  revokedDm: (sections: readonly string[]) =>
    `Un administrateur a désactivé ton lien d'agenda pour ${sections.map((section) => `**${section}**`).join(', ')}. Utilise \`/subscribe\` sur le serveur pour en obtenir un nouveau.`,
  allSections: 'toutes les sections',

  // /status
  statusTitle: 'État de Planning Proxy',
  statusSummary: (version: string, since: string, size: string, backlog: number) =>
    `Version ${version} · démarré ${since} · base ${size} · alertes en attente : ${backlog}`,
  statusLastSuccess: 'Dernier succès',
  statusLastError: 'Dernière erreur',
  statusFailures: 'Échecs consécutifs',
  statusNextRun: 'Prochain passage',
  statusEvents: 'Cours',
  statusLinks: 'Liens actifs',
  statusFetches: 'Téléchargements (24 h)',
  statusLastChange: 'Dernier changement',
  statusNever: 'jamais',
  statusNone: 'aucune',
  statusUnknownSize: 'taille inconnue',
  statusMoreSections: (count: number) => `… et ${count} autres sections.`,
  statusTruncated:
    "⚠️ Calendrier tronqué : trop d'événements, seuls les plus proches dans le temps sont gardés",
  statusHeld: (reason: string, remaining: number) =>
    `⏸️ Dernier passage retenu : ${reason} ; annoncé après ${remaining} ${plural(remaining, 'passage identique', 'passages identiques')}`,
  statusDashboardLink: (url: string, minutes: number) =>
    `Tableau de bord web : ${url}\n(lien de connexion personnel, à usage unique, valable ${minutes} minutes ; ne le partage pas)`,

  // /alerts
  alertsSet: (section: string, channel: string, role: string | undefined) =>
    role === undefined
      ? `Les alertes de **${section}** iront dans ${channel}, sans mention de rôle.`
      : `Les alertes de **${section}** iront dans ${channel} et mentionneront ${role}.`,
  alertsNotText: 'Choisis un salon textuel du serveur.',

  // /notify
  notifyOn:
    'Alertes en message privé activées : je te préviendrai des changements des prochaines 48 heures dans les sections auxquelles tu es abonné.',
  notifyOnNoSubscription:
    "Alertes en message privé activées, mais tu n'es abonné à aucune section : utilise `/subscribe` pour recevoir quelque chose.",
  notifyOff: 'Alertes en message privé désactivées.',

  // /filters (and the optional filter step of /subscribe)
  filtersCurrent: (section: string, description: string) =>
    `Ton lien pour **${section}** — ${description}.`,
  filtersHowTo:
    'Facultatif : les menus ci-dessous gardent seulement tes groupes, ou masquent des cours ou des types de cours. Ton lien ne change pas : ton agenda suit ton choix à son prochain rafraîchissement.',
  filtersTruncated: (limit: number) =>
    `Les menus ne proposent que les ${limit} valeurs les plus fréquentes. Pour un groupe absent de la liste, tape-le dans l'option \`groups\` de \`/filters\` ou \`/subscribe\` (avec saisie semi-automatique).`,
  filtersNothingToChoose:
    "Cette section n'a encore aucun cours enregistré : rien à filtrer pour l'instant.",
  filtersGroupsPlaceholder: 'Garder seulement ces groupes (aucun = tous)',
  filtersCoursesPlaceholder: 'Masquer ces cours',
  filtersTypesPlaceholder: 'Masquer ces types de cours (CM, TD, TP…)',
  filtersClearButton: 'Retirer le filtre',
  filtersOptionCount: (count: number) =>
    `${count} ${plural(count, 'cours enregistré', 'cours enregistrés')}`,
  filtersSaved: (section: string, description: string) =>
    `Filtre enregistré pour **${section}** — ${description}. Ton lien ne change pas : ton agenda suivra ce choix à son prochain rafraîchissement.`,
  filtersCleared: (section: string) =>
    `Filtre retiré pour **${section}** : ton agenda montre de nouveau toute la section.`,
  filtersNoLink: (section: string) =>
    `Tu n'as pas de lien actif pour **${section}**. Utilise \`/subscribe\` pour en obtenir un, puis choisis ton filtre.`,
  filtersNotYours:
    'Ces menus concernent le lien de quelqu’un d’autre. Utilise `/filters` pour modifier ton propre filtre.',
  filtersUnknownGroups: (groups: readonly string[]) =>
    `${plural(groups.length, 'Groupe inconnu', 'Groupes inconnus')} dans cette section, ${plural(groups.length, 'ignoré', 'ignorés')} : ${groups.join(', ')}.`,

  // change alerts
  alertTitle: (section: string) => `Changements d'emploi du temps — ${section}`,
  alertTitlePart: (section: string, part: number, parts: number) =>
    `Changements d'emploi du temps — ${section} (${part}/${parts})`,
  dmAlertTitle: (section: string) => `Changements dans les 48 h — ${section}`,
  alertContinued: (title: string) => `${title} (suite)`,
  alertSummaryMore: (count: number) =>
    `… et ${count} autres. Consulte \`/planning\` ou ton agenda pour le détail.`,
  alertKinds: {
    cancelled: 'Annulé',
    added: 'Ajouté',
    moved: 'Déplacé',
    room: 'Changement de salle',
    teacher: "Changement d'enseignant",
    renamed: 'Renommé',
  },
  /** Said after an exam's title in alerts. */
  examMark: '📝 Examen',
  /** A class split in several under new ids: "moved" names every part. */
  alertSplit: (count: number) => `scindé en ${count}`,
  unknownValue: '?',
  noValue: '—',
};

export type Messages = typeof fr;

const en: Messages = {
  unexpectedError: (reference) =>
    `Something went wrong. Try again later; if it keeps happening, give an admin this reference: \`${reference}\`.`,
  adminOnly: 'This command is for admins only (Manage Server permission or an admin role).',
  guildOnly: 'This command only works in the server, not in direct messages.',
  unknownSection: (name, known) =>
    `I don't know the section "${name}". Available sections: ${known.join(', ')}.`,
  unknownButton: 'This button is no longer valid. Run the command again.',

  linkIntro: (section) =>
    `Here is your personal calendar link for **${section}**. Keep it to yourself: it gives access to your timetable.`,
  linkHttps: 'Link (Google Calendar, Outlook.com):',
  linkWebcal: 'webcal link (Apple Calendar, Outlook for Windows, Thunderbird):',
  refreshNote:
    'Note: Google Calendar refreshes subscribed calendars only every 8 to 24 hours, Outlook.com every few hours. For last-minute changes, Discord alerts are the fast channel (turn on DMs with `/notify on`).',
  dmCopySent: 'A copy of this message was sent to you by direct message.',
  dmCopyClosed:
    "I couldn't send you a copy by direct message: your DMs are closed for this server. Nothing is lost: copy the link above now (this message will disappear).",
  dmCopyFailed:
    "The copy by direct message couldn't be sent. Nothing is lost: copy the link above now.",
  dmCopyHeader: (section) => `A copy of your calendar link for **${section}**:`,
  googleButton: 'Add to Google Calendar',
  outlookButton: 'Add to Outlook.com',
  alreadySubscribed: (section, prefixes) =>
    `You already have an active link for **${section}** (${prefixes.map((prefix) => `\`${prefix}…\``).join(', ')}). If you lost it or it leaked, the button below creates a new one and turns the old one off.`,
  rotateButton: 'New link (turns the old one off)',
  rotatedNote: (count) =>
    count === 0 ? '' : `The old link was turned off (${count} ${plural(count, 'link', 'links')}).`,

  unsubscribed: (section, count) =>
    `${count} ${plural(count, 'link', 'links')} turned off for **${section}**. Your subscribed calendar will no longer update; you can remove it from your app.`,
  notSubscribed: (section) => `You have no active link for **${section}**.`,

  planningNeedsSection: (sections) =>
    sections.length === 0
      ? "Tell me the section (`section` option): you aren't subscribed to any."
      : `Tell me the section (\`section\` option): you are subscribed to ${sections.join(', ')}.`,
  planningBadDay: (input) =>
    `I don't understand the day "${input}". Examples: today, tomorrow, monday, 2026-09-14, 14/09.`,
  planningTitle: (section, day) => `${section} — ${day}`,
  planningEmpty: 'No classes that day.',
  planningCancelled: 'cancelled',
  planningFreshness: 'Freshness',
  planningUpdated: (at) => `Data updated ${at}.`,
  planningNeverUpdated: 'This data has never been fetched yet.',
  planningLastError: (at) => `Last attempt failed ${at}: the timetable shown may be behind.`,
  planningMore: (count) => `… and ${count} more ${plural(count, 'class', 'classes')}.`,
  dayWords: { today: ['today'], tomorrow: ['tomorrow'] },
  weekdays: ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'],

  revokeNeedsTarget: 'Give a user (`user` option) or a link prefix (`prefix` option).',
  revokeBadPrefix: (length) => `A link prefix is ${length} hexadecimal characters (0-9, a-f).`,
  revokeNothing: 'No active link matches.',
  revokeDone: (lines) =>
    `${lines.length} ${plural(lines.length, 'link', 'links')} revoked:\n${list(lines)}`,
  revokeLine: (prefix, section, owner) => `\`${prefix}…\` — ${section} — ${owner}`,
  revokeUserNotified: (user) => `${user} was told by direct message.`,
  revokeUserNotNotified: (user) => `${user} could not be told (direct messages closed).`,
  revokedDm: (sections) =>
    `An admin turned off your calendar link for ${sections.map((section) => `**${section}**`).join(', ')}. Use \`/subscribe\` in the server to get a new one.`,
  allSections: 'all sections',

  statusTitle: 'Planning Proxy status',
  statusSummary: (version, since, size, backlog) =>
    `Version ${version} · started ${since} · database ${size} · alerts waiting: ${backlog}`,
  statusLastSuccess: 'Last success',
  statusLastError: 'Last error',
  statusFailures: 'Consecutive failures',
  statusNextRun: 'Next run',
  statusEvents: 'Classes',
  statusLinks: 'Active links',
  statusFetches: 'Feed fetches (24 h)',
  statusLastChange: 'Last change',
  statusNever: 'never',
  statusNone: 'none',
  statusUnknownSize: 'unknown size',
  statusMoreSections: (count) => `… and ${count} more sections.`,
  statusTruncated: '⚠️ Calendar truncated: too many events, only those nearest in time are kept',
  statusHeld: (reason, remaining) =>
    `⏸️ Latest scrape held: ${reason}; announced after ${remaining} more identical ${plural(remaining, 'scrape', 'scrapes')}`,
  statusDashboardLink: (url, minutes) =>
    `Web dashboard: ${url}\n(personal one-time login link, valid ${minutes} minutes; do not share it)`,

  alertsSet: (section, channel, role) =>
    role === undefined
      ? `Alerts for **${section}** will go to ${channel}, without a role mention.`
      : `Alerts for **${section}** will go to ${channel} and mention ${role}.`,
  alertsNotText: 'Pick a text channel of the server.',

  notifyOn:
    "Direct-message alerts on: I'll tell you about changes in the next 48 hours in the sections you subscribed to.",
  notifyOnNoSubscription:
    "Direct-message alerts on, but you aren't subscribed to any section: use `/subscribe` to get something.",
  notifyOff: 'Direct-message alerts off.',

  filtersCurrent: (section, description) => `Your link for **${section}** — ${description}.`,
  filtersHowTo:
    'Optional: the menus below keep only your groups, or hide some courses or class types. Your link stays the same: your calendar follows your choice at its next refresh.',
  filtersTruncated: (limit) =>
    `The menus only offer the ${limit} most frequent values. For a group not in the list, type it in the \`groups\` option of \`/filters\` or \`/subscribe\` (with autocomplete).`,
  filtersNothingToChoose: 'This section has no stored classes yet: nothing to filter for now.',
  filtersGroupsPlaceholder: 'Keep only these groups (none = all)',
  filtersCoursesPlaceholder: 'Hide these courses',
  filtersTypesPlaceholder: 'Hide these class types (lecture, TD, TP…)',
  filtersClearButton: 'Clear the filter',
  filtersOptionCount: (count) => `${count} stored ${plural(count, 'class', 'classes')}`,
  filtersSaved: (section, description) =>
    `Filter saved for **${section}** — ${description}. Your link stays the same: your calendar will follow this choice at its next refresh.`,
  filtersCleared: (section) =>
    `Filter cleared for **${section}**: your calendar shows the whole section again.`,
  filtersNoLink: (section) =>
    `You have no active link for **${section}**. Use \`/subscribe\` to get one, then pick your filter.`,
  filtersNotYours:
    "These menus are about someone else's link. Use `/filters` to change your own filter.",
  filtersUnknownGroups: (groups) =>
    `Unknown ${plural(groups.length, 'group', 'groups')} in this section, ignored: ${groups.join(', ')}.`,

  alertTitle: (section) => `Timetable changes — ${section}`,
  alertTitlePart: (section, part, parts) => `Timetable changes — ${section} (${part}/${parts})`,
  dmAlertTitle: (section) => `Changes in the next 48 h — ${section}`,
  alertContinued: (title) => `${title} (continued)`,
  alertSummaryMore: (count) =>
    `… and ${count} more. See \`/planning\` or your calendar for details.`,
  alertKinds: {
    cancelled: 'Cancelled',
    added: 'Added',
    moved: 'Moved',
    room: 'Room change',
    teacher: 'Teacher change',
    renamed: 'Renamed',
  },
  examMark: '📝 Exam',
  alertSplit: (count) => `split into ${count}`,
  unknownValue: '?',
  noValue: '—',
};

export const messages: Readonly<Record<Locale, Messages>> = { fr, en };

export function messagesFor(locale: Locale): Messages {
  return messages[locale];
}

/** Command descriptions: French by default, English as localizations. */
export const commandTexts = {
  subscribe: {
    fr: 'Obtenir ton lien d’agenda personnel pour une section',
    en: 'Get your personal calendar link for a section',
  },
  unsubscribe: { fr: 'Désactiver ton lien d’agenda', en: 'Turn off your calendar link' },
  planning: { fr: 'Tes cours d’une journée', en: 'Your classes for a day' },
  revoke: { fr: 'Révoquer des liens d’agenda (admin)', en: 'Revoke calendar links (admin)' },
  status: { fr: 'État du service (admin)', en: 'Service status (admin)' },
  alerts: {
    fr: 'Où envoyer les alertes d’une section (admin)',
    en: 'Where a section’s alerts go (admin)',
  },
  notify: {
    fr: 'Alertes en message privé pour les 48 prochaines heures',
    en: 'Direct-message alerts for the next 48 hours',
  },
  notifyOn: { fr: 'Activer les alertes en MP', en: 'Turn on direct-message alerts' },
  notifyOff: { fr: 'Désactiver les alertes en MP', en: 'Turn off direct-message alerts' },
  optionSection: { fr: 'La section (classe, promo)', en: 'The section (class, year)' },
  optionDay: {
    fr: "Le jour : aujourd'hui, demain, lundi, 2026-09-14, 14/09",
    en: 'The day: today, tomorrow, monday, 2026-09-14, 14/09',
  },
  optionUser: { fr: 'L’utilisateur dont révoquer les liens', en: 'The user whose links to revoke' },
  optionRevokeSection: {
    fr: 'Seulement cette section (sinon toutes)',
    en: 'Only this section (otherwise all)',
  },
  optionPrefix: {
    fr: 'Préfixe du lien (8 caractères, vu dans /status ou les journaux)',
    en: 'Link prefix (8 characters, as shown in logs)',
  },
  optionChannel: { fr: 'Le salon des alertes', en: 'The alerts channel' },
  optionRole: { fr: 'Le rôle à mentionner (facultatif)', en: 'The role to mention (optional)' },
  filters: {
    fr: 'Voir et modifier le filtre de ton lien d’agenda (groupes, cours, types)',
    en: 'See and change your calendar link’s filter (groups, courses, types)',
  },
  optionGroups: {
    fr: 'Garder seulement ces groupes (séparés par des virgules)',
    en: 'Keep only these groups (comma-separated)',
  },
} as const;
