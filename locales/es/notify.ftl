invitation-subject = { $clinic }: unas preguntas antes de su cita del { $when }
invitation-sms = { $clinic }: por favor conteste unas preguntas antes de su cita del { $when }: { $link }
invitation-email =
    Hola:

    { $clinic } le pide que conteste unas preguntas antes de su cita del { $when }. Toma unos minutos y ahorra tiempo en la recepción.

    { $link }

    Se le pedirá su fecha de nacimiento. El enlace es solo para usted: por favor no lo comparta.{ $call }
reminder-subject = Recordatorio de { $clinic }: preguntas antes de su cita del { $when }
reminder-sms = { $clinic }: le recordamos contestar unas preguntas antes de su cita del { $when }: { $link }
reminder-email =
    Hola:

    Un recordatorio de { $clinic }: por favor conteste unas preguntas antes de su cita del { $when }. Si ya empezó, puede seguir donde lo dejó.

    { $link }

    El enlace es solo para usted: por favor no lo comparta.{ $call }
code-subject = { $clinic }: su código
code-sms = { $clinic }: su código es { $code }. Vale por 10 minutos. No lo comparta.
code-email =
    Su código para { $clinic } es { $code }.

    Vale por 10 minutos. No lo comparta con nadie.{ $call }
questions-call = ¿Preguntas? Llame a { $clinic } al { $phone }.
visit-time = { $weekday ->
        [1] lun
        [2] mar
        [3] mié
        [4] jue
        [5] vie
        [6] sáb
       *[7] dom
    } { $day } { $month ->
        [1] ene
        [2] feb
        [3] mar
        [4] abr
        [5] may
        [6] jun
        [7] jul
        [8] ago
        [9] sep
        [10] oct
        [11] nov
       *[12] dic
    } a las { $time }
