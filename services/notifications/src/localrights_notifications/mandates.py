"""The thematic Special Procedures of the Human Rights Council, by the short name alerts use.

An alert's ``mechanism`` for a special procedure is the short name OHCHR's Universal Human
Rights Index uses ("SR on adequate housing"); subscribers and publishers pick a mandate by
its full name in their language. Any other name that reads like a mandate stays accepted
(``domain.check_mechanism``): mandates are created and renamed by the Council.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mandate:
    code: str  # the short name alerts carry as their mechanism
    name: dict[str, str]  # the mandate's title in English, French and Spanish


def _mandate(code: str, en: str, fr: str, es: str) -> Mandate:
    return Mandate(code, {"en": en, "fr": fr, "es": es})


MANDATES: tuple[Mandate, ...] = (
    _mandate(
        "SR on adequate housing",
        "Special Rapporteur on adequate housing",
        "Rapporteur spécial sur le logement convenable",
        "Relator Especial sobre una vivienda adecuada",
    ),
    _mandate(
        "SR on extreme poverty",
        "Special Rapporteur on extreme poverty and human rights",
        "Rapporteur spécial sur l'extrême pauvreté et les droits de l'homme",
        "Relator Especial sobre la extrema pobreza y los derechos humanos",
    ),
    _mandate(
        "SR on the right to food",
        "Special Rapporteur on the right to food",
        "Rapporteur spécial sur le droit à l'alimentation",
        "Relator Especial sobre el derecho a la alimentación",
    ),
    _mandate(
        "SR on the right to health",
        "Special Rapporteur on the right to physical and mental health",
        "Rapporteur spécial sur le droit à la santé physique et mentale",
        "Relator Especial sobre el derecho a la salud física y mental",
    ),
    _mandate(
        "SR on the right to education",
        "Special Rapporteur on the right to education",
        "Rapporteur spécial sur le droit à l'éducation",
        "Relator Especial sobre el derecho a la educación",
    ),
    _mandate(
        "SR on water and sanitation",
        "Special Rapporteur on the human rights to safe drinking water and sanitation",
        "Rapporteur spécial sur les droits à l'eau potable et à l'assainissement",
        "Relator Especial sobre los derechos al agua potable y al saneamiento",
    ),
    _mandate(
        "SR on violence against women",
        "Special Rapporteur on violence against women and girls",
        "Rapporteuse spéciale sur la violence contre les femmes et les filles",
        "Relatora Especial sobre la violencia contra las mujeres y las niñas",
    ),
    _mandate(
        "SR on racism",
        "Special Rapporteur on contemporary forms of racism, racial discrimination, "
        "xenophobia and related intolerance",
        "Rapporteur spécial sur les formes contemporaines de racisme, de discrimination "
        "raciale, de xénophobie et de l'intolérance qui y est associée",
        "Relator Especial sobre las formas contemporáneas de racismo, discriminación "
        "racial, xenofobia y formas conexas de intolerancia",
    ),
    _mandate(
        "SR on migrants",
        "Special Rapporteur on the human rights of migrants",
        "Rapporteur spécial sur les droits de l'homme des migrants",
        "Relator Especial sobre los derechos humanos de los migrantes",
    ),
    _mandate(
        "SR on persons with disabilities",
        "Special Rapporteur on the rights of persons with disabilities",
        "Rapporteur spécial sur les droits des personnes handicapées",
        "Relator Especial sobre los derechos de las personas con discapacidad",
    ),
    _mandate(
        "SR on indigenous peoples",
        "Special Rapporteur on the rights of Indigenous Peoples",
        "Rapporteur spécial sur les droits des peuples autochtones",
        "Relator Especial sobre los derechos de los pueblos indígenas",
    ),
    _mandate(
        "SR on freedom of expression",
        "Special Rapporteur on freedom of opinion and expression",
        "Rapporteur spécial sur la liberté d'opinion et d'expression",
        "Relator Especial sobre la libertad de opinión y de expresión",
    ),
    _mandate(
        "SR on freedom of assembly and association",
        "Special Rapporteur on the rights to freedom of peaceful assembly and of association",
        "Rapporteur spécial sur les droits à la liberté de réunion pacifique et d'association",
        "Relator Especial sobre los derechos a la libertad de reunión pacífica y de asociación",
    ),
    _mandate(
        "SR on human rights defenders",
        "Special Rapporteur on the situation of human rights defenders",
        "Rapporteur spécial sur la situation des défenseurs des droits de l'homme",
        "Relator Especial sobre la situación de los defensores de los derechos humanos",
    ),
    _mandate(
        "SR on torture",
        "Special Rapporteur on torture and other cruel, inhuman or degrading treatment",
        "Rapporteur spécial sur la torture et autres traitements cruels, inhumains ou dégradants",
        "Relator Especial sobre la tortura y otros tratos crueles, inhumanos o degradantes",
    ),
    _mandate(
        "SR on trafficking in persons",
        "Special Rapporteur on trafficking in persons, especially women and children",
        "Rapporteur spécial sur la traite des êtres humains, en particulier les femmes et "
        "les enfants",
        "Relator Especial sobre la trata de personas, especialmente mujeres y niños",
    ),
    _mandate(
        "SR on minority issues",
        "Special Rapporteur on minority issues",
        "Rapporteur spécial sur les questions relatives aux minorités",
        "Relator Especial sobre cuestiones de las minorías",
    ),
    _mandate(
        "SR on cultural rights",
        "Special Rapporteur in the field of cultural rights",
        "Rapporteur spécial dans le domaine des droits culturels",
        "Relator Especial sobre los derechos culturales",
    ),
    _mandate(
        "SR on the environment",
        "Special Rapporteur on human rights and the environment",
        "Rapporteur spécial sur les droits de l'homme et l'environnement",
        "Relator Especial sobre los derechos humanos y el medio ambiente",
    ),
    _mandate(
        "SR on climate change",
        "Special Rapporteur on human rights in the context of climate change",
        "Rapporteur spécial sur les droits de l'homme dans le contexte des changements climatiques",
        "Relator Especial sobre los derechos humanos en el contexto del cambio climático",
    ),
    _mandate(
        "SR on toxics",
        "Special Rapporteur on toxics and human rights",
        "Rapporteur spécial sur les substances toxiques et les droits de l'homme",
        "Relator Especial sobre las sustancias tóxicas y los derechos humanos",
    ),
    _mandate(
        "SR on internally displaced persons",
        "Special Rapporteur on the human rights of internally displaced persons",
        "Rapporteur spécial sur les droits de l'homme des personnes déplacées dans leur "
        "propre pays",
        "Relator Especial sobre los derechos humanos de los desplazados internos",
    ),
    _mandate(
        "SR on the sale and sexual exploitation of children",
        "Special Rapporteur on the sale and sexual exploitation of children",
        "Rapporteur spécial sur la vente et l'exploitation sexuelle d'enfants",
        "Relator Especial sobre la venta y la explotación sexual de niños",
    ),
    _mandate(
        "SR on contemporary forms of slavery",
        "Special Rapporteur on contemporary forms of slavery",
        "Rapporteur spécial sur les formes contemporaines d'esclavage",
        "Relator Especial sobre las formas contemporáneas de la esclavitud",
    ),
    _mandate(
        "SR on the right to privacy",
        "Special Rapporteur on the right to privacy",
        "Rapporteur spécial sur le droit à la vie privée",
        "Relator Especial sobre el derecho a la privacidad",
    ),
    _mandate(
        "SR on the independence of judges and lawyers",
        "Special Rapporteur on the independence of judges and lawyers",
        "Rapporteur spécial sur l'indépendance des juges et des avocats",
        "Relator Especial sobre la independencia de los magistrados y abogados",
    ),
    _mandate(
        "SR on freedom of religion or belief",
        "Special Rapporteur on freedom of religion or belief",
        "Rapporteur spécial sur la liberté de religion ou de conviction",
        "Relator Especial sobre la libertad de religión o de creencias",
    ),
    _mandate(
        "SR on truth, justice and reparation",
        "Special Rapporteur on truth, justice, reparation and guarantees of non-recurrence",
        "Rapporteur spécial sur la vérité, la justice, la réparation et les garanties de "
        "non-répétition",
        "Relator Especial sobre la verdad, la justicia, la reparación y las garantías de no "
        "repetición",
    ),
    _mandate(
        "SR on summary executions",
        "Special Rapporteur on extrajudicial, summary or arbitrary executions",
        "Rapporteur spécial sur les exécutions extrajudiciaires, sommaires ou arbitraires",
        "Relator Especial sobre las ejecuciones extrajudiciales, sumarias o arbitrarias",
    ),
    _mandate(
        "SR on the right to development",
        "Special Rapporteur on the right to development",
        "Rapporteur spécial sur le droit au développement",
        "Relator Especial sobre el derecho al desarrollo",
    ),
    _mandate(
        "IE on older persons",
        "Independent Expert on the enjoyment of all human rights by older persons",
        "Experte indépendante chargée de promouvoir l'exercice par les personnes âgées de "
        "tous les droits de l'homme",
        "Experta Independiente sobre el disfrute de todos los derechos humanos por las "
        "personas de edad",
    ),
    _mandate(
        "IE on sexual orientation and gender identity",
        "Independent Expert on protection against violence and discrimination based on "
        "sexual orientation and gender identity",
        "Expert indépendant sur la protection contre la violence et la discrimination liées "
        "à l'orientation sexuelle et à l'identité de genre",
        "Experto Independiente sobre la protección contra la violencia y la discriminación "
        "por motivos de orientación sexual o identidad de género",
    ),
    _mandate(
        "IE on albinism",
        "Independent Expert on the enjoyment of human rights by persons with albinism",
        "Experte indépendante sur l'exercice des droits de l'homme par les personnes "
        "atteintes d'albinisme",
        "Experta Independiente sobre el disfrute de los derechos humanos por las personas "
        "con albinismo",
    ),
    _mandate(
        "WG on discrimination against women and girls",
        "Working Group on discrimination against women and girls",
        "Groupe de travail sur la discrimination à l'égard des femmes et des filles",
        "Grupo de Trabajo sobre la discriminación contra las mujeres y las niñas",
    ),
    _mandate(
        "WG on people of African descent",
        "Working Group of Experts on People of African Descent",
        "Groupe de travail d'experts sur les personnes d'ascendance africaine",
        "Grupo de Trabajo de Expertos sobre los Afrodescendientes",
    ),
    _mandate(
        "WG on business and human rights",
        "Working Group on business and human rights",
        "Groupe de travail sur les entreprises et les droits de l'homme",
        "Grupo de Trabajo sobre las empresas y los derechos humanos",
    ),
    _mandate(
        "WG on arbitrary detention",
        "Working Group on Arbitrary Detention",
        "Groupe de travail sur la détention arbitraire",
        "Grupo de Trabajo sobre la Detención Arbitraria",
    ),
    _mandate(
        "WG on enforced or involuntary disappearances",
        "Working Group on Enforced or Involuntary Disappearances",
        "Groupe de travail sur les disparitions forcées ou involontaires",
        "Grupo de Trabajo sobre las Desapariciones Forzadas o Involuntarias",
    ),
)

BY_CODE: dict[str, Mandate] = {m.code: m for m in MANDATES}
