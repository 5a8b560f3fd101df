'use strict';
// The admin's command forms (a script file: the Content-Security-Policy allows no inline
// code). Rows added with "Add another milestone" propose the next free id (M4 after M3),
// as the first rows do; a claim's "Reported by" follows the milestone chosen, defaulting
// to the organisation responsible for it.
{
    const nextMilestoneId = function() {
        const taken = Array.from(document.querySelectorAll("input[name$='-milestone_id']"))
            .map((input) => /^M(\d+)$/.exec(input.value))
            .filter((match) => match !== null)
            .map((match) => Number(match[1]));
        return "M" + (Math.max(0, ...taken) + 1);
    };

    document.addEventListener("formset:added", (event) => {
        const input = event.target.querySelector("input[name$='-milestone_id']");
        if (input && !input.value) {
            input.value = nextMilestoneId();
        }
    });

    document.addEventListener("DOMContentLoaded", () => {
        for (const claimant of document.querySelectorAll("select[data-responsible-of]")) {
            const responsibleOf = JSON.parse(claimant.dataset.responsibleOf);
            const milestone = claimant.form.querySelector("select[name$='milestone_id']");
            if (milestone === null) {
                continue;
            }
            milestone.addEventListener("change", () => {
                if (responsibleOf[milestone.value]) {
                    claimant.value = responsibleOf[milestone.value];
                }
            });
        }
    });
}
